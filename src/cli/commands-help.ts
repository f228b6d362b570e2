// What each command is for, its options and examples: the one table src/cli/help.ts prints the
// global help and every command's help from. Every example runs as written from the repository
// root (test/cli.test.ts runs each one, with --dry-run where the command has it).

export interface Example {
  /** A command line: words, 'single-quoted' words, and at most a trailing `> FILE`. */
  run: string;
  /** Printed above it as a comment. */
  why?: string;
}

export interface CommandHelp {
  /** What follows `matrixbake <command>`, one line per form. */
  usage: string[];
  /** The global help's line: one line, at most 88 characters. */
  summary: string;
  /** Paragraphs, wrapped when printed. */
  description: string[];
  /** [flags, what they do]. */
  options: [string, string][];
  /** The first one is also the global help's example, unless featured is false. */
  examples: Example[];
  featured?: boolean;
}

const VAR: [string, string] = ['--var K=V', 'set a bake variable: VERSION, REGISTRY, CACHE_REGISTRY, BRANCH, PUSH_CACHE, USE_SCCACHE, GIT_SHA, USER_UID, USER_GID, and the matrix\'s [variables] (repeatable)'];
const BUILDX_ARGS: [string, string] = ['-- BUILDX_ARGS', 'passed to docker buildx bake as they are (e.g. -- --progress=plain)'];

export const COMMANDS = {
  compile: {
    usage: ['[MATRIX] [-o FILE] [--format hcl|json|resolved] [--check]'],
    summary: 'Write the bake file (stdout, or -o FILE atomically); --check: is FILE stale?',
    description: [
      'Compile MATRIX into a docker buildx bake file whose targets are linked by named contexts: HCL (default) or JSON, on stdout or written atomically to -o FILE.',
      '--format resolved prints what `docker buildx bake --print` shows for the file, without buildx.',
    ],
    options: [
      ['-o, --output FILE', 'write FILE (atomically: a failed compile leaves it as it was); - is stdout'],
      ['-f, --format F', 'hcl (default), json, or resolved'],
      ['--check', 'write nothing; exit 1 with the first difference if -o FILE is not what would be written'],
    ],
    examples: [
      { run: 'matrixbake compile matrix/dynamo.toml -o bake/docker-bake.hcl' },
      { run: 'matrixbake compile --check -o bake/docker-bake.hcl', why: 'in CI: is the committed bake file current?' },
      { run: 'matrixbake compile matrix/demo.toml --format resolved', why: 'the targets as buildx resolves them' },
    ],
  },
  list: {
    usage: ['[MATRIX] [--json] [--twins]'],
    summary: 'The targets: stage, axis values, platforms, named-context links.',
    description: ['One line per target of MATRIX: its name, stage, axis values, platforms, and the targets it links as named contexts.'],
    options: [
      ['--twins', 'add the per-arch twins (runtime-vllm-cuda12-arm64) that CI jobs and releases build one by one'],
      ['--json', 'the same as JSON'],
    ],
    examples: [{ run: 'matrixbake list --twins' }, { run: 'matrixbake list matrix/demo.toml --json' }],
  },
  lint: {
    usage: ['[MATRIX]'],
    summary: 'Cross-check the matrix with its Dockerfiles: stages, args, contexts, secrets.',
    description: [
      'Cross-check MATRIX with its Dockerfiles (a composed one through its parts): every target stage exists, every passed build arg is declared where it is used, every `uses` and `contexts` context is read (FROM, COPY --from, RUN --mount from=) and every context directory or OCI layout exists, every mounted secret is provided when USE_SCCACHE is on, no ARG carries a credential, no ARG defaults to an arch that an arch is built with and nothing sets for it.',
      'Findings (exit 1), one per line: file:line: matrix key: message. A finding the matrix accepts ([[lint.accept]] key, optional file and contains, and a reason) is listed with its reason and does not fail; an entry that accepts nothing is a finding.',
    ],
    options: [],
    examples: [{ run: 'matrixbake lint matrix/demo.toml' }, { run: 'matrixbake lint' }],
  },
  check: {
    usage: ['[MATRIX] [TARGET...] [--offline]'],
    summary: "Run BuildKit's own Dockerfile checks on every target, linked ones included.",
    description: [
      "Run BuildKit's Dockerfile checks (`docker buildx bake --call=check`) on TARGETs (default: group all), with the build args, contexts and Dockerfile stage each target builds. BuildKit cannot check a target whose named context is another target, so every link reads an empty stub image instead (an OCI layout matrixbake writes). Needs a builder (BUILDX_BUILDER), not a registry.",
      'Findings (exit 1), one per line: file:line: check.<Rule>: what BuildKit says (the targets it says it for) (hint: the rule\'s page). Accept one on purpose with [[lint.accept]] key = "check.<Rule>" and a reason.',
    ],
    options: [['--offline', 'read every registry image a FROM names as the stub too: no network, but no check that needs the real image (its platforms, its ENV)']],
    examples: [{ run: 'matrixbake check matrix/demo.toml' }, { run: 'matrixbake check matrix/dynamo.toml --offline' }],
  },
  graph: {
    usage: ['[MATRIX] [--format mermaid|dot|svg] [--group G] [-o FILE]', '--readme FILE [--check]'],
    summary: 'Draw the build graph (mermaid, dot, svg), or redraw it in a README.',
    description: [
      'The build graph: one box per multi-arch target (its platforms in the label), a box per stage around them, an arrow from each linked target to what links it, labelled with the named context; targets linked by more than one are drawn shared.',
      '--readme FILE redraws the mermaid graph between `<!-- graph:begin MATRIX -->` and `<!-- graph:end -->` in FILE, for the MATRIX the marker names (relative to FILE).',
    ],
    options: [
      ['-f, --format F', 'mermaid (default), dot, or svg (laid out by Graphviz compiled to WebAssembly, no install)'],
      ['--group G', 'keep the targets of group G and everything they link'],
      ['-o, --output FILE', 'write FILE atomically instead of stdout'],
      ['--readme FILE', 'redraw every marked mermaid block of the markdown FILE'],
      ['--check', 'with --readme: write nothing; exit 1 if a block is stale'],
    ],
    examples: [
      { run: 'matrixbake graph --format svg --group vllm -o vllm.svg' },
      { run: 'matrixbake graph matrix/demo.toml --format dot' },
      { run: 'matrixbake graph --readme README.md --check', why: 'in CI: is the README\'s picture current?' },
    ],
  },
  explain: {
    usage: ['TARGET [MATRIX] [--json]'],
    summary: 'Where one target comes from: Dockerfile, each arg and its key, links, cache, tags.',
    description: [
      'Where one target (or per-arch twin) comes from: its axis values, stage, Dockerfile and the matrix key that chose it, platforms, every build arg with the key it came from, its links and who links it, cache-from/cache-to and tags as the bake file has them, and which excludes removed its siblings.',
      'TARGET may come before or after MATRIX. An unknown TARGET is a usage error with a suggestion.',
    ],
    options: [['--json', 'the same as JSON']],
    examples: [{ run: 'matrixbake explain runtime-trtllm-cuda13-amd64' }, { run: 'matrixbake explain matrix/demo.toml wheel-cuda12 --json' }],
  },
  ci: {
    usage: ['[MATRIX] [--format github|gitlab] [--group G] [--levels]'],
    summary: 'The CI fan-out: one job per per-arch target of the published images.',
    description: [
      'The CI fan-out: one job per per-arch target (runtime-vllm-cuda12-arm64) of every published image, on the runner [ci.runners] names for its arch (default amd64 ubuntu-24.04, arm64 ubuntu-24.04-arm).',
      'github (default): {"include":[...]} on one line, for $GITHUB_OUTPUT; gitlab: a child pipeline with a parallel:matrix job.',
    ],
    options: [
      ['-f, --format F', 'github (default) or gitlab'],
      ['--group G', 'keep the images of group G'],
      ['--levels', 'add the per-arch targets they link, as one matrix per dependency level (github: {"level0":{"include":[...]},...}; gitlab: a stage per level)'],
    ],
    examples: [{ run: 'matrixbake ci --group vllm --levels' }, { run: 'matrixbake ci matrix/demo.toml --format gitlab' }],
  },
  bake: {
    usage: ['[MATRIX] [TARGET...] [--levels|--one-bake] [--json] [--dry-run] [--push] [--set K=V]... [--var K=V]... [-- BUILDX_ARGS]'],
    summary: 'Compile to a temp file and run `docker buildx bake` on TARGETs.',
    description: [
      'Compile MATRIX to a temp file and run `docker buildx bake` on TARGETs (targets or groups; default: group default) in the repository root. buildx\'s progress shows while it builds; then a table says, per target: status (built, cached: no Dockerfile step ran, failed, interrupted, not built), time, steps, steps from cache, image and digest, read from buildx\'s metadata file and BuildKit\'s build history. A failure names the failed targets and passes on buildx\'s exit code; if buildkitd goes away mid-bake, the interrupted ones. A cache registry that fails mid-bake does not fail the build: a warning names the caches not saved.',
      'With USE_SCCACHE=true, the compiling stages get AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment as BuildKit secrets, never as args.',
    ],
    options: [
      VAR,
      ['--set K=V', 'buildx\'s per-target override, e.g. \'*.platform=linux/amd64\' (repeatable)'],
      ['--push', 'push the published images to REGISTRY'],
      ['--dry-run', 'print the exact commands instead of running them (a link shows `@<digest-of-T>`, known once T is pushed)'],
      ['--json', 'print the summary as one JSON document (times in ms, each target\'s build ref) instead of the table'],
      ['--levels', 'one bake per dependency level, multi-arch targets as their per-arch twins, linked by digest through images pushed to CACHE_REGISTRY: a fresh builder (CI, a laptop, a wiped buildkitd) restores every step from the registry cache. The default when the matrix has a [cache] registry'],
      ['--one-bake', 'one bake of every target, linked by target: contexts: fastest on a builder that holds its own cache; a fresh builder may rebuild steps several targets share (docker/buildx#3878)'],
      BUILDX_ARGS,
    ],
    examples: [
      { run: 'matrixbake bake vllm-runtime --var VERSION=v0.7.0 --var PUSH_CACHE=true --dry-run', why: 'what would run, without running it' },
      { run: 'matrixbake bake matrix/demo.toml all --push --var PUSH_CACHE=true', why: 'the offline demo: every target, both platforms, images and cache to localhost:5000/demo' },
      { run: 'matrixbake bake matrix/demo.toml runtime-vllm-cuda12-arm64 -- --progress=plain', why: 'one per-arch twin, with buildx\'s plain progress' },
      { run: 'matrixbake bake wheel-cuda12 --set \'*.platform=linux/amd64\' --var USE_SCCACHE=true', why: 'sccache on S3: the AWS credentials in the environment become BuildKit secrets' },
      { run: 'matrixbake bake matrix/demo.toml all --one-bake', why: 'one bake, for a builder that keeps its own cache (no link images pushed)' },
      { run: 'matrixbake bake matrix/demo.toml vllm --json > bake-summary.json', why: 'in CI: the summary (cached steps per target) as JSON' },
    ],
  },
  release: {
    usage: ['[MATRIX] [GROUP|TARGET] [--registry R] [--version V] [--arch A] [--phase all|build|merge] [--digests DIR] [--only] [--sbom-generator IMAGE] [--dry-run] [--var K=V]... [-- BUILDX_ARGS]'],
    summary: 'Multi-arch release: per-arch builds pushed by digest, then merged into tags.',
    description: [
      'Multi-arch release of GROUP\'s published images (default: group default): every per-arch target built alone, in dependency order, linked through reproducible images in the cache registry, pushed by digest to R/<image> with provenance (mode=max) and an SBOM; then `imagetools create` merges the digests into <version>-<suffix> and latest-<suffix>.',
      'A failed target skips what links it and leaves its image unmerged (exit 1); the rest go on. Version: v<tag> on a tag, else v<last tag>.dev.<sha>; SOURCE_DATE_EPOCH: the commit time.',
    ],
    options: [
      ['--registry R', 'push to R/<image> (default: --var REGISTRY, else the matrix\'s project.registry)'],
      ['--version V', 'the release version (default: from git, as `matrixbake version` prints it)'],
      ['--phase P', 'all (default), build (one runner\'s builds; digests to --digests DIR) or merge (the multi-arch tags from --digests DIR)'],
      ['--arch A', 'with --phase build: only the targets of arch A'],
      ['--digests DIR', 'where build writes and merge reads the pushed digests'],
      ['--only', 'build one per-arch TARGET, linking the images earlier jobs pushed: a job of `ci --levels`'],
      ['--sbom-generator IMAGE', 'the SBOM scanner image (default: $MATRIXBAKE_SBOM_GENERATOR, else BuildKit\'s)'],
      ['--dry-run', 'print the commands instead of running them'],
      VAR,
      BUILDX_ARGS,
    ],
    examples: [
      { run: 'matrixbake release matrix/demo.toml --registry localhost:5000/staging --var PUSH_CACHE=true', why: 'everything on one machine: build both arches, then merge' },
      { run: 'matrixbake release --phase build --arch arm64 --registry ghcr.io/acme/staging --digests digests', why: 'the arm64 runner of a CI release' },
      { run: 'matrixbake release --phase merge --registry ghcr.io/acme/staging --digests digests', why: 'the merge job, once every runner has pushed' },
      { run: 'matrixbake release matrix/demo.toml runtime-vllm-cuda12-amd64 --phase build --only', why: 'one job of `matrixbake ci --levels`' },
    ],
  },
  promote: {
    usage: ['[MATRIX] [GROUP] --from STAGING --registry R [--version V] [--dry-run]'],
    summary: 'Copy released images by digest from STAGING to R, without rebuilding.',
    description: ['Copy GROUP\'s released images (default: group default) by digest from the STAGING registry to R with `docker buildx imagetools create`: the same bytes, no rebuild, under <version>-<suffix> and latest-<suffix>.'],
    options: [
      ['--from STAGING', 'the registry `release` pushed to (required)'],
      ['--registry R', 'where to copy them (default: the matrix\'s project.registry)'],
      ['--version V', 'the release to copy (default: from git, as `matrixbake version` prints it)'],
      ['--dry-run', 'print the commands instead of running them'],
    ],
    examples: [{ run: 'matrixbake promote default --from ghcr.io/acme/staging --registry nvcr.io/nvidia/ai-dynamo' }, { run: 'matrixbake promote matrix/demo.toml vllm --from localhost:5000/staging --version v0.7.0' }],
  },
  version: {
    usage: [''],
    summary: 'The release version of this checkout.',
    description: ['The release version of the checkout, what `release` and `promote` use without --version: v<tag> on a tag, else v<last tag>.dev.<short sha>. (`matrixbake --version` is the version of matrixbake.)'],
    options: [],
    examples: [{ run: 'matrixbake version' }],
    featured: false,
  },
  schema: {
    usage: [''],
    summary: 'The matrix file\'s JSON Schema, generated from the zod schema.',
    description: ['The matrix file\'s JSON Schema (matrix/matrix.schema.json), generated from the zod schema. Editors (taplo, Even Better TOML) read it from a `#:schema ./matrix.schema.json` first line.'],
    options: [],
    examples: [{ run: 'matrixbake schema > matrix/matrix.schema.json' }],
    featured: false,
  },
} satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMANDS;
