import type { CommandSpec } from '../spec.js';
import { MATRIX_IF_TOML } from './shared.js';

export const promote = {
  usage: ['[MATRIX] [GROUP] --from STAGING --registry R [--version V] [--dry-run]'],
  summary: 'Copy released images by digest from STAGING to R, without rebuilding.',
  description: [
    "Copy GROUP's released images (default: group default) by digest from the STAGING registry to R with `docker buildx imagetools create`: the same bytes, no rebuild, under <version>-<suffix> and latest-<suffix>.",
  ],
  positionals: { matrix: MATRIX_IF_TOML, group: { name: 'GROUP', default: 'default', help: 'the group whose released images to copy' } },
  flags: {
    // Required: run-command.ts says so, naming what it is for.
    from: { type: 'string', value: 'STAGING', help: 'the registry `release` pushed to (required)' },
    registry: { type: 'string', value: 'R', help: "where to copy them (default: the matrix's project.registry)" },
    version: { type: 'string', value: 'V', help: 'the release to copy (default: from git, as `matrixbake version` prints it)' },
    'dry-run': { type: 'boolean', help: 'print the commands instead of running them' },
  },
  examples: [
    { run: 'matrixbake promote default --from ghcr.io/acme/staging --registry nvcr.io/nvidia/ai-dynamo' },
    { run: 'matrixbake promote matrix/demo.toml vllm --from localhost:5000/staging --version v0.7.0' },
  ],
} as const satisfies CommandSpec;
