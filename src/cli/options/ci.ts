import { CI_FORMATS } from '../../emit/ci/ci-emitters.js';
import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const ci = {
  usage: ['[MATRIX] [--format github|gitlab] [--group G] [--levels]'],
  summary: 'The CI fan-out: one job per per-arch target of the published images.',
  description: [
    'The CI fan-out: one job per per-arch target (runtime-vllm-cuda12-arm64) of every published image, on the runner [ci.runners] names for its arch (default amd64 ubuntu-24.04, arm64 ubuntu-24.04-arm).',
    'github (default): {"include":[...]} on one line, for $GITHUB_OUTPUT; gitlab: a child pipeline with a parallel:matrix job.',
  ],
  positionals: { matrix: MATRIX },
  flags: {
    format: { type: 'string', short: 'f', value: 'F', choices: CI_FORMATS, default: 'github', label: 'ci --format', help: 'github (default) or gitlab' },
    group: { type: 'string', value: 'G', help: 'keep the images of group G' },
    levels: {
      type: 'boolean',
      help: 'add the per-arch targets they link, as one matrix per dependency level (github: {"level0":{"include":[...]},...}; gitlab: a stage per level)',
    },
  },
  examples: [{ run: 'matrixbake ci --group vllm --levels' }, { run: 'matrixbake ci matrix/demo.toml --format gitlab' }],
} as const satisfies CommandSpec;
