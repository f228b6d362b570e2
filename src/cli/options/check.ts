import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const check = {
  usage: ['[MATRIX] [TARGET...] [--offline]'],
  summary: "Run BuildKit's own Dockerfile checks on every target, linked ones included.",
  description: [
    "Run BuildKit's Dockerfile checks (`docker buildx bake --call=check`) on TARGETs (default: group all), with the build args, contexts and Dockerfile stage each target builds. BuildKit cannot check a target whose named context is another target, so every link reads an empty stub image instead (an OCI layout matrixbake writes). Needs a builder (BUILDX_BUILDER), not a registry.",
    'Findings (exit 1), one per line: file:line: check.<Rule>: what BuildKit says (the targets it says it for) (hint: the rule\'s page). Accept one on purpose with [[lint.accept]] key = "check.<Rule>" and a reason.',
  ],
  // The first positional is the matrix whatever its name, as for compile: a target needs the matrix before it.
  positionals: { matrix: MATRIX, targets: { name: 'TARGET', repeated: true, help: 'targets or groups to check (default: group all)' } },
  flags: {
    offline: {
      type: 'boolean',
      help: 'read every registry image a FROM names as the stub too: no network, but no check that needs the real image (its platforms, its ENV)',
    },
  },
  examples: [{ run: 'matrixbake check matrix/demo.toml' }, { run: 'matrixbake check matrix/dynamo.toml --offline' }],
} as const satisfies CommandSpec;
