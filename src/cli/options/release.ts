import type { Phase } from '../../commands/release.js';
import type { CommandSpec } from '../spec.js';
import { BUILDX_ARGS, MATRIX_IF_TOML, VAR } from './shared.js';

const PHASES = ['all', 'build', 'merge'] as const satisfies readonly Phase[];

export const release = {
  usage: [
    '[MATRIX] [GROUP|TARGET] [--registry R] [--version V] [--arch A] [--phase all|build|merge] [--digests DIR] [--only] [--sbom-generator IMAGE] [--dry-run] [--var K=V]... [-- BUILDX_ARGS]',
  ],
  summary: 'Multi-arch release: per-arch builds pushed by digest, then merged into tags.',
  description: [
    "Multi-arch release of GROUP's published images (default: group default): every per-arch target built alone, in dependency order, linked through reproducible images in the cache registry, pushed by digest to R/<image> with provenance (mode=max) and an SBOM; then `imagetools create` merges the digests into <version>-<suffix> and latest-<suffix>.",
    'A failed target skips what links it and leaves its image unmerged (exit 1); the rest go on. Version: v<tag> on a tag, else v<last tag>.dev.<sha>; SOURCE_DATE_EPOCH: the commit time.',
  ],
  positionals: {
    matrix: MATRIX_IF_TOML,
    group: { name: 'GROUP|TARGET', default: 'default', help: 'the group whose published images to release, or with --only one per-arch target' },
  },
  flags: {
    registry: { type: 'string', value: 'R', help: "push to R/<image> (default: --var REGISTRY, else the matrix's project.registry)" },
    version: { type: 'string', value: 'V', help: 'the release version (default: from git, as `matrixbake version` prints it)' },
    phase: {
      type: 'string',
      value: 'P',
      choices: PHASES,
      default: 'all',
      help: "all (default), build (one runner's builds; digests to --digests DIR) or merge (the multi-arch tags from --digests DIR)",
    },
    arch: { type: 'string', value: 'A', help: 'with --phase build: only the targets of arch A' },
    digests: { type: 'string', value: 'DIR', help: 'where build writes and merge reads the pushed digests' },
    only: { type: 'boolean', help: 'build one per-arch TARGET, linking the images earlier jobs pushed: a job of `ci --levels`' },
    'sbom-generator': { type: 'string', value: 'IMAGE', help: "the SBOM scanner image (default: $MATRIXBAKE_SBOM_GENERATOR, else BuildKit's)" },
    'dry-run': { type: 'boolean', help: 'print the commands instead of running them' },
    var: VAR,
  },
  passthrough: BUILDX_ARGS,
  examples: [
    {
      run: 'matrixbake release matrix/demo.toml --registry localhost:5000/staging --var PUSH_CACHE=true',
      why: 'everything on one machine: build both arches, then merge',
    },
    { run: 'matrixbake release --phase build --arch arm64 --registry ghcr.io/acme/staging --digests digests', why: 'the arm64 runner of a CI release' },
    { run: 'matrixbake release --phase merge --registry ghcr.io/acme/staging --digests digests', why: 'the merge job, once every runner has pushed' },
    { run: 'matrixbake release matrix/demo.toml runtime-vllm-cuda12-amd64 --phase build --only', why: 'one job of `matrixbake ci --levels`' },
  ],
} as const satisfies CommandSpec;
