export const VERSION = '0.1.0';

export const HELP = `matrixbake ${VERSION}: compile a container build matrix (TOML) into a docker buildx bake file

Usage:
  matrixbake compile [MATRIX] [-o FILE] [--format hcl|json|resolved] [--check]
  matrixbake list    [MATRIX] [--json] [--twins]
  matrixbake lint    [MATRIX]
  matrixbake bake    [MATRIX] [TARGET...] [--dry-run] [--push] [--set K=V]... [--var K=V]... [-- BUILDX_ARGS]

MATRIX defaults to matrix/dynamo.toml.

Commands:
  compile   Write the bake file (stdout, or -o FILE atomically). --check: exit 1 if FILE is stale.
            --format resolved prints what \`docker buildx bake --print\` shows, without buildx.
  list      The targets: stage, axis values, platforms, named-context links. --twins adds per-arch twins.
  lint      Cross-check the matrix with its Dockerfiles: every target stage exists, every passed
            build arg is declared where it is used, every \`uses\` context is read (FROM, COPY
            --from, RUN --mount from=), every mounted secret is provided when USE_SCCACHE is on,
            no ARG carries a credential. Findings: file:line: matrix key: message.
  bake      Compile to a temp file and run \`docker buildx bake\` on TARGETs (default: group default).
            --var sets a bake variable (VERSION, REGISTRY, CACHE_REGISTRY, BRANCH, PUSH_CACHE,
            USE_SCCACHE, GIT_SHA, USER_UID, USER_GID); --set is buildx's per-target override.
            --dry-run prints the exact command instead of running it.

Examples:
  matrixbake compile matrix/dynamo.toml -o bake/docker-bake.hcl
  matrixbake compile --check -o bake/docker-bake.hcl
  matrixbake list --twins
  matrixbake lint matrix/demo.toml
  matrixbake bake vllm-runtime --var VERSION=v0.7.0 --var PUSH_CACHE=true --dry-run

Exit codes: 0 ok, 1 stale file, lint findings or failed build, 2 bad input or usage.
`;
