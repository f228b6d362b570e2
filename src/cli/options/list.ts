import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const list = {
  usage: ['[MATRIX] [--json] [--twins]'],
  summary: 'The targets: stage, axis values, platforms, named-context links.',
  description: ['One line per target of MATRIX: its name, stage, axis values, platforms, and the targets it links as named contexts.'],
  positionals: { matrix: MATRIX },
  flags: {
    twins: { type: 'boolean', help: 'add the per-arch twins (runtime-vllm-cuda12-arm64) that CI jobs and releases build one by one' },
    json: { type: 'boolean', help: 'the same as JSON' },
  },
  examples: [{ run: 'matrixbake list --twins' }, { run: 'matrixbake list matrix/demo.toml --json' }],
} as const satisfies CommandSpec;
