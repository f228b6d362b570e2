import type { CommandSpec } from '../spec.js';
import { BUILDX_ARGS, MATRIX_IF_TOML, VAR } from './shared.js';

export const bake = {
  usage: ['[MATRIX] [TARGET...] [--levels|--one-bake] [--json] [--dry-run] [--push] [--set K=V]... [--var K=V]... [-- BUILDX_ARGS]'],
  summary: 'Run `docker buildx bake` on TARGETs, on a bake file of what they build.',
  description: [
    "Compile MATRIX and run `docker buildx bake` on TARGETs (targets or groups; default: group default) in the repository root, on a bake file of what they build (the targets, what they link, the variables those read: buildx's cost grows with the file, not the request). --dry-run names that file on its first line. buildx's progress shows while it builds; then a table says, per target: status (built, cached: no Dockerfile step ran, failed, interrupted, not built), time, steps, steps from cache, image and digest, read from buildx's metadata file and BuildKit's build history. A failure names the failed targets and passes on buildx's exit code; if buildkitd goes away mid-bake, the interrupted ones. A cache registry that fails mid-bake does not fail the build: a warning names the caches not saved.",
    'With USE_SCCACHE=true, the compiling stages get AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment as BuildKit secrets, never as args.',
  ],
  positionals: { matrix: MATRIX_IF_TOML, targets: { name: 'TARGET', repeated: true, help: 'targets or groups to build (default: group default)' } },
  flags: {
    var: VAR,
    set: { type: 'string', multiple: true, value: 'K=V', help: "buildx's per-target override, e.g. '*.platform=linux/amd64' (repeatable)" },
    push: { type: 'boolean', help: 'push the published images to REGISTRY' },
    'dry-run': { type: 'boolean', help: 'print the exact commands instead of running them (a link shows `@<digest-of-T>`, known once T is pushed)' },
    json: { type: 'boolean', help: "print the summary as one JSON document (times in ms, each target's build ref) instead of the table" },
    levels: {
      type: 'boolean',
      help: 'one bake per dependency level, multi-arch targets as their per-arch twins, linked by digest through images pushed to CACHE_REGISTRY: a fresh builder (CI, a laptop, a wiped buildkitd) restores every step from the registry cache. The default when the matrix has a [cache] registry',
    },
    'one-bake': {
      type: 'boolean',
      help: 'one bake of every target, linked by target: contexts: fastest on a builder that holds its own cache; a fresh builder may rebuild steps several targets share (docker/buildx#3878)',
    },
  },
  passthrough: BUILDX_ARGS,
  examples: [
    { run: 'matrixbake bake vllm-runtime --var VERSION=v0.7.0 --var PUSH_CACHE=true --dry-run', why: 'what would run, without running it' },
    {
      run: 'matrixbake bake matrix/demo.toml all --push --var PUSH_CACHE=true',
      why: 'the offline demo: every target, both platforms, images and cache to localhost:5000/demo',
    },
    { run: 'matrixbake bake matrix/demo.toml runtime-vllm-cuda12-arm64 -- --progress=plain', why: "one per-arch twin, with buildx's plain progress" },
    {
      run: "matrixbake bake wheel-cuda12 --set '*.platform=linux/amd64' --var USE_SCCACHE=true",
      why: 'sccache on S3: the AWS credentials in the environment become BuildKit secrets',
    },
    { run: 'matrixbake bake matrix/demo.toml all --one-bake', why: 'one bake, for a builder that keeps its own cache (no link images pushed)' },
    { run: 'matrixbake bake matrix/demo.toml vllm --json > bake-summary.json', why: 'in CI: the summary (cached steps per target) as JSON' },
  ],
} as const satisfies CommandSpec;
