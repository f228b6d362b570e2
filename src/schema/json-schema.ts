import * as z from 'zod';
import { matrixFileSchema } from '../model/schema.js';
import { acceptReason, axisValues, ciCommand, excludeReason, scalar } from '../model/schema-values.js';

// The matrix file's JSON Schema, for editors (taplo / Even Better TOML read the `#:schema`
// comment at the top of a matrix file). Generated from the zod schema, the one source of truth;
// what zod checks in code (no fractions, one kind of value per axis, a reason that is not blank)
// is spelt out here.

const SCALAR = { type: ['string', 'integer', 'boolean'] };

export function matrixJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(matrixFileSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const js = ctx.jsonSchema as Record<string, unknown>;
      if (ctx.zodSchema === scalar) replace(js, SCALAR);
      // zod trims a reason (and the CI command) before it counts: a reason of spaces is none.
      if (ctx.zodSchema === excludeReason || ctx.zodSchema === acceptReason || ctx.zodSchema === ciCommand) js.pattern = '\\S';
      if (ctx.zodSchema === axisValues) {
        replace(js, { anyOf: ['string', 'integer', 'boolean'].map((type) => ({ type: 'array', minItems: 1, items: { type } })) });
      }
    },
  });
  // Two refusals zod makes in code: `[[matrix.include]]` (matrixbake has none) and an empty [stage].
  const props = schema.properties as Record<string, { properties?: Record<string, unknown>; minProperties?: number }>;
  props.matrix!.properties!.include = false;
  props.stage!.minProperties = 1;
  return {
    $schema: schema.$schema,
    $id: 'https://github.com/matrixbake/matrixbake/matrix/matrix.schema.json',
    title: 'matrixbake matrix file',
    description: 'A container build matrix that matrixbake compiles into a Docker Buildx Bake file. Generated from src/model/schema.ts: `make schema`.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

function replace(target: Record<string, unknown>, by: Record<string, unknown>): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, by);
}
