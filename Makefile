# matrixbake. `make help` lists the targets.
#   make demo                            offline: build the demo graph (amd64+arm64) into localhost:5000
#   make bake TARGET=all                 compile matrix/dynamo.toml and build group/target `all`
#   make <target>_build|_push|_print     one bake target or group (TensorRT-LLM's <stage>_<action>)
#   make ci-matrix ARGS="--levels"       the CI fan-out matrix (GitHub Actions JSON) of MATRIX
#   make test                            install what is missing, then every test (real buildx)
#   make bench                           the benchmarks: bench/results.json and bench/RESULTS.md (~30 min)

MATRIX    ?= matrix/dynamo.toml
BAKE_FILE ?= bake/docker-bake.hcl
TARGET    ?= default
ARGS      ?=
VITEST_ARGS ?=

CLI := node dist/cli.js
SRC := $(shell find src -name '*.ts' 2>/dev/null)
BUILDX_PLUGIN := $(HOME)/.docker/cli-plugins/docker-buildx

.DEFAULT_GOAL := help
.PHONY: help setup toolchain toolchain-test system services build bake-file readme-graph bake ci-matrix demo bench lint check typecheck test clean

DEMO_MATRIX := matrix/demo.toml
# The builder scripts/services.sh creates (buildx `remote` driver on the project's buildkitd).
export BUILDX_BUILDER ?= matrixbake

help:
	@sed -n '2,8p' Makefile | sed 's/^# //'
	@echo "  make setup | services | lint | build | bake-file | readme-graph | check | test | clean"

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# buildx, buildkitd + buildctl: what the demo and every build need. Each target installs only
# what it uses: building syft and actionlint from source took most of a first `make demo`.
toolchain:
	bash scripts/install-toolchain.sh --buildkit

# The tests also lint the generated workflow (actionlint) and attach SBOMs in release e2e (syft,
# scripts/sbom-scanner.sh).
toolchain-test:
	bash scripts/install-toolchain.sh --buildkit --actionlint --syft

# Debian packages: runc, docker-registry, qemu-user-static, busybox-static (amd64 + arm64).
system:
	bash scripts/install-system.sh

# binfmt arm64, registry on localhost:5000, buildkitd, the `matrixbake` builder; reuses what runs.
services: system toolchain
	bash scripts/services.sh up

setup: node_modules/.package-lock.json toolchain-test

# One file, the package's bin (scripts/bundle-cli.mjs), after tsc has checked the types.
# package.json: the bundle carries its version.
dist/cli.js: node_modules/.package-lock.json $(SRC) tsconfig.json tsconfig.build.json package.json scripts/bundle-cli.mjs
	rm -rf dist
	npm run --silent build

build: dist/cli.js

# Regenerate the committed bake file from the matrix.
bake-file: dist/cli.js
	$(CLI) compile $(MATRIX) -o $(BAKE_FILE)

# Redraw the mermaid graph of matrix/dynamo.toml in README.md (between its graph:begin/end markers).
readme-graph: dist/cli.js
	$(CLI) graph --readme README.md

bake: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $(TARGET) $(ARGS)

# One job per per-arch target of the published images, for `strategy: matrix:` in GitHub Actions.
# ARGS="--levels" adds what they link, one matrix per level; ARGS="--group vllm" narrows it.
# Quiet, for $GITHUB_OUTPUT: echo "matrix=$(make -s ci-matrix)" >> "$GITHUB_OUTPUT".
ci-matrix: dist/cli.js
	@$(CLI) ci $(MATRIX) --format github $(ARGS)

# The offline demo, end to end on a real BuildKit: every demo target for linux/amd64 and
# linux/arm64, images and registry cache pushed to localhost:5000, then a table of what was built.
demo: dist/cli.js services
	$(CLI) lint $(DEMO_MATRIX)
	$(CLI) bake $(DEMO_MATRIX) all --push --var PUSH_CACHE=true $(ARGS)

# The benchmarks (bench/run.ts): build figures on real BuildKit, start-up and compile scaling of
# the bin as the package ships it (bundled by the bench itself); about 25 min.
# Writes bench/results.json and bench/RESULTS.md. BENCH_ARGS="--reps 5" or "--quick".
BENCH_ARGS ?=
bench: dist/cli.js services
	npx tsc -p tsconfig.bench.json
	node .bench-out/bench/run.js $(BENCH_ARGS)

lint: dist/cli.js
	$(CLI) lint $(MATRIX)

%_build: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* $(ARGS)

%_push: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* --push $(ARGS)

# What bake would build for a target or group, evaluated by real buildx (needs no daemon).
%_print: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* $(ARGS) -- --print

typecheck: node_modules/.package-lock.json
	npx tsc -p tsconfig.json --noEmit

# The matrix file's JSON Schema for editors, generated from the zod schema (a test checks it is current).
schema: dist/cli.js
	$(CLI) schema > matrix/matrix.schema.json.tmp && mv matrix/matrix.schema.json.tmp matrix/matrix.schema.json

# docs/cli.md, the CLI reference, generated from the commands' option tables in src/cli/options/
# (a test checks it is current).
.PHONY: cli-docs
cli-docs: dist/cli.js
	$(CLI) help --markdown > docs/cli.md.tmp && mv docs/cli.md.tmp docs/cli.md

# The repository's own checks: types, Biome (lint, format, the layer and process rules in
# biome.json), knip (dead files, exports and dependencies), then the committed files are current.
check: typecheck dist/cli.js
	npx biome check
	npx knip
	$(CLI) compile matrix/dynamo.toml --check -o bake/docker-bake.hcl
	$(CLI) graph --readme README.md --check
	$(CLI) lint matrix/dynamo.toml
	$(CLI) lint $(DEMO_MATRIX)
	$(CLI) lint matrix/vllm.toml

test: setup services check
	npx vitest run $(VITEST_ARGS)

clean:
	rm -rf dist dist-check
