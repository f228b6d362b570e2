# matrixbake. `make help` lists the targets.
#   make bake TARGET=all                 compile matrix/dynamo.toml and build group/target `all`
#   make <target>_build|_push|_print     one bake target or group (TensorRT-LLM's <stage>_<action>)
#   make test                            install what is missing, then every test (real buildx)

MATRIX    ?= matrix/dynamo.toml
BAKE_FILE ?= bake/docker-bake.hcl
TARGET    ?= default
ARGS      ?=
VITEST_ARGS ?=

CLI := node dist/cli.js
SRC := $(shell find src -name '*.ts' 2>/dev/null)
BUILDX_PLUGIN := $(HOME)/.docker/cli-plugins/docker-buildx

.DEFAULT_GOAL := help
.PHONY: help setup toolchain build bake-file bake check typecheck test clean

help:
	@sed -n '2,5p' Makefile | sed 's/^# //'
	@echo "  make setup | build | bake-file | check | test | clean"

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

toolchain:
	bash scripts/install-toolchain.sh

setup: node_modules/.package-lock.json toolchain

dist/cli.js: node_modules/.package-lock.json $(SRC) tsconfig.json tsconfig.build.json
	rm -rf dist
	npx tsc -p tsconfig.build.json
	chmod +x dist/cli.js

build: dist/cli.js

# Regenerate the committed bake file from the matrix.
bake-file: dist/cli.js
	$(CLI) compile $(MATRIX) -o $(BAKE_FILE)

bake: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $(TARGET) $(ARGS)

%_build: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* $(ARGS)

%_push: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* --push $(ARGS)

# What bake would build for a target or group, evaluated by real buildx (needs no daemon).
%_print: dist/cli.js toolchain
	$(CLI) bake $(MATRIX) $* $(ARGS) -- --print

typecheck: node_modules/.package-lock.json
	npx tsc -p tsconfig.json --noEmit

check: typecheck dist/cli.js
	$(CLI) compile matrix/dynamo.toml --check -o bake/docker-bake.hcl

test: setup check
	npx vitest run $(VITEST_ARGS)

clean:
	rm -rf dist dist-check
