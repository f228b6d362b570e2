import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const lint = {
  usage: ['[MATRIX]'],
  summary: 'Cross-check the matrix with its Dockerfiles: stages, args, contexts, secrets.',
  description: [
    'Cross-check MATRIX with its Dockerfiles (a composed one through its parts): every target stage exists, every passed build arg is declared where it is used, every `uses` and `contexts` context is read (FROM, COPY --from, RUN --mount from=) and every context directory or OCI layout exists, every mounted secret is provided when USE_SCCACHE is on, no ARG carries a credential, no ARG defaults to an arch that an arch is built with and nothing sets for it.',
    'Findings (exit 1), one per line: file:line: matrix key: message. A finding the matrix accepts ([[lint.accept]] key, optional file and contains, and a reason) is listed with its reason and does not fail; an entry that accepts nothing is a finding.',
  ],
  positionals: { matrix: MATRIX },
  flags: {},
  examples: [{ run: 'matrixbake lint matrix/demo.toml' }, { run: 'matrixbake lint' }],
} as const satisfies CommandSpec;
