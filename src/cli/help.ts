export const VERSION = '0.1.0';

export const HELP = `matrixbake ${VERSION}: compile a container build matrix (TOML) into a docker buildx bake file

Usage:
  matrixbake compile [MATRIX] [-o FILE] [--format hcl|json|resolved] [--check]
  matrixbake list    [MATRIX] [--json] [--twins]
  matrixbake lint    [MATRIX]
  matrixbake graph   [MATRIX] [--format mermaid|dot|svg] [--group G] [-o FILE]
  matrixbake graph   --readme FILE [--check]
  matrixbake explain TARGET [MATRIX] [--json]
  matrixbake ci      [MATRIX] [--format github|gitlab] [--group G] [--levels]
  matrixbake release [MATRIX] [GROUP|TARGET] [--registry R] [--version V] [--arch A] [--phase all|build|merge]
                     [--digests DIR] [--only] [--sbom-generator IMAGE] [--dry-run] [--var K=V]... [-- BUILDX_ARGS]
  matrixbake promote [MATRIX] [GROUP] --from STAGING --registry R [--version V] [--dry-run]
  matrixbake version
  matrixbake schema
  matrixbake bake    [MATRIX] [TARGET...] [--levels] [--dry-run] [--push] [--set K=V]... [--var K=V]... [-- BUILDX_ARGS]

MATRIX defaults to matrix/dynamo.toml.

Commands:
  compile   Write the bake file (stdout, or -o FILE atomically). --check: exit 1 if FILE is stale.
            --format resolved prints what \`docker buildx bake --print\` shows, without buildx.
  schema    The matrix file's JSON Schema (matrix/matrix.schema.json), generated from the zod schema.
            Editors read it from a \`#:schema ./matrix.schema.json\` first line: \`matrixbake schema > matrix.schema.json\`
  list      The targets: stage, axis values, platforms, named-context links. --twins adds per-arch twins.
  lint      Cross-check the matrix with its Dockerfiles: every target stage exists, every passed
            build arg is declared where it is used, every \`uses\` context is read (FROM, COPY
            --from, RUN --mount from=), every mounted secret is provided when USE_SCCACHE is on,
            no ARG carries a credential. Findings: file:line: matrix key: message.
  graph     The build graph: one box per multi-arch target (its platforms in the label), a box
            per stage around them, an arrow from each linked target to what links it, labelled
            with the named context; targets linked by more than one are drawn shared. mermaid
            (default), dot, or svg (laid out by Graphviz compiled to WebAssembly, no install).
            --group G keeps G's targets and everything they link. --readme FILE redraws the
            mermaid graph between \`<!-- graph:begin MATRIX -->\` and \`<!-- graph:end -->\` in FILE;
            with --check, exit 1 if it is stale instead.
  explain   Where one target (or per-arch twin) comes from: its axis values, stage, Dockerfile and
            the matrix key that chose it, platforms, every build arg with the key it came from,
            its links and who links it, cache-from/cache-to and tags as the bake file has them,
            and which excludes removed its siblings. --json for the same as JSON.
  ci        The CI fan-out: one job per per-arch target (runtime-vllm-cuda12-arm64) of every
            published image, on the runner [ci.runners] names for its arch (default amd64
            ubuntu-24.04, arm64 ubuntu-24.04-arm). github (default): {"include":[...]} on one line,
            for $GITHUB_OUTPUT; gitlab: a child pipeline with a parallel:matrix job. --group G keeps
            the images of group G. --levels adds the per-arch targets they link, as one matrix per
            dependency level (github: {"level0":{"include":[...]},...}; gitlab: a stage per level).
  bake      Compile to a temp file and run \`docker buildx bake\` on TARGETs (default: group default).
            --var sets a bake variable (VERSION, REGISTRY, CACHE_REGISTRY, BRANCH, PUSH_CACHE,
            USE_SCCACHE, GIT_SHA, USER_UID, USER_GID); --set is buildx's per-target override.
            --dry-run prints the exact command instead of running it. --levels builds one target
            per bake in dependency order, linked through images pushed to CACHE_REGISTRY: the way
            an empty builder (CI, a wiped buildkitd) restores everything from the registry cache.

  release   Multi-arch release of GROUP's published images (default: group default): every per-arch
            target built alone, in dependency order, linked through reproducible images in the
            cache registry, pushed by digest to R/<image> with provenance (mode=max) and an SBOM
            (--sbom-generator, or $MATRIXBAKE_SBOM_GENERATOR, else BuildKit's default); then
            \`imagetools create\` merges the digests into <version>-<suffix> and latest-<suffix>.
            --phase build --arch A is one arch's runner, --phase merge the merge job (digests in
            --digests DIR); --only builds one per-arch TARGET, a job of \`ci --levels\`. A failed
            target skips what links it and leaves its image unmerged (exit 1); the rest go on.
            Version: v<tag> on a tag, else v<last tag>.dev.<sha>; SOURCE_DATE_EPOCH: the commit time.
  promote   Copy GROUP's images by digest from STAGING to R (imagetools create, no rebuild).
  version   The release version of this checkout.

Examples:
  matrixbake compile matrix/dynamo.toml -o bake/docker-bake.hcl
  matrixbake compile --check -o bake/docker-bake.hcl
  matrixbake list --twins
  matrixbake lint matrix/demo.toml
  matrixbake graph --format svg --group vllm -o vllm.svg
  matrixbake explain runtime-trtllm-cuda13-amd64
  matrixbake ci --group vllm --levels
  matrixbake bake vllm-runtime --var VERSION=v0.7.0 --var PUSH_CACHE=true --dry-run
  matrixbake release matrix/demo.toml default --registry localhost:5000/staging --var PUSH_CACHE=true
  matrixbake promote default --from ghcr.io/acme/staging --registry nvcr.io/nvidia/ai-dynamo

Exit codes: 0 ok, 1 stale file, lint findings or failed build, 2 bad input or usage.
`;
