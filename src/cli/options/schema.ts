import type { CommandSpec } from '../spec.js';

export const schema = {
  usage: [''],
  summary: "The matrix file's JSON Schema, generated from the zod schema.",
  description: [
    "The matrix file's JSON Schema (matrix/matrix.schema.json), generated from the zod schema. Editors (taplo, Even Better TOML) read it from a `#:schema ./matrix.schema.json` first line.",
  ],
  positionals: {},
  flags: {},
  examples: [{ run: 'matrixbake schema > matrix/matrix.schema.json' }],
  featured: false,
} as const satisfies CommandSpec;
