import { FORMATS } from '../../emit/emitters.js';
import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const compile = {
  usage: ['[MATRIX] [-o FILE] [--format hcl|json|resolved] [--check]'],
  summary: 'Write the bake file (stdout, or -o FILE atomically); --check: is FILE stale?',
  description: [
    'Compile MATRIX into a docker buildx bake file whose targets are linked by named contexts: HCL (default) or JSON, on stdout or written atomically to -o FILE.',
    '--format resolved prints what `docker buildx bake --print` shows for the file, without buildx.',
  ],
  positionals: { matrix: MATRIX },
  flags: {
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write FILE (atomically: a failed compile leaves it as it was); - is stdout' },
    format: { type: 'string', short: 'f', value: 'F', choices: FORMATS, default: 'hcl', help: 'hcl (default), json, or resolved' },
    check: { type: 'boolean', help: 'write nothing; exit 1 with the first difference if -o FILE is not what would be written' },
  },
  examples: [
    { run: 'matrixbake compile matrix/dynamo.toml -o bake/docker-bake.hcl' },
    { run: 'matrixbake compile --check -o bake/docker-bake.hcl', why: 'in CI: is the committed bake file current?' },
    { run: 'matrixbake compile matrix/demo.toml --format resolved', why: 'the targets as buildx resolves them' },
  ],
} as const satisfies CommandSpec;
