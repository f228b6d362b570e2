import type { CommandSpec } from '../spec.js';
import { MATRIX_IF_TOML } from './shared.js';

export const explain = {
  usage: ['TARGET [MATRIX] [--json]'],
  summary: 'Where one target comes from: Dockerfile, each arg and its key, links, cache, tags.',
  description: [
    'Where one target (or per-arch twin) comes from: its axis values, stage, Dockerfile and the matrix key that chose it, platforms, every build arg with the key it came from, its links and who links it, cache-from/cache-to and tags as the bake file has them, and which excludes removed its siblings.',
    'TARGET may come before or after MATRIX. An unknown TARGET is a usage error with a suggestion.',
  ],
  positionals: {
    target: { name: 'TARGET', required: true, example: 'runtime-vllm-cuda12', help: 'a target or per-arch twin of the bake file' },
    matrix: MATRIX_IF_TOML,
  },
  flags: {
    json: { type: 'boolean', help: 'the same as JSON' },
  },
  examples: [{ run: 'matrixbake explain runtime-trtllm-cuda13-amd64' }, { run: 'matrixbake explain matrix/demo.toml wheel-cuda12 --json' }],
} as const satisfies CommandSpec;
