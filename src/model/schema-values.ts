import './zod-config.js';
import * as z from 'zod';

// The values of a matrix file (axis values, args, Dockerfiles, reasons), shared by its tables
// (schema.ts) and the JSON Schema for editors (src/schema/json-schema.ts).

/**
 * TOML users write `cuda = [12, 13]` as often as `["12", "13"]`; both mean the same value. A
 * number with a fraction is refused: TOML reads `3.10` as the float 3.1, so `python = [3.10]`
 * would silently become "3.1" (and 13.0 would become "13"; a float that happens to be whole
 * cannot be told from an integer once parsed, so that one is let through as its digits).
 */
export const scalar = z
  .union([z.string(), z.number(), z.boolean(), z.bigint()])
  .superRefine((v, ctx) => {
    // Past 2^53 @iarna/toml returns a BigInt, wrapped to 64 bits without a word: not to be trusted.
    if (typeof v === 'bigint') {
      ctx.addIssue({
        code: 'custom',
        input: v,
        message: `an integer this large is not read exactly (it was read as ${v})`,
        params: { hint: 'quote it: "..."' },
      });
    }
    if (typeof v === 'number' && !Number.isInteger(v)) {
      ctx.addIssue({
        code: 'custom',
        input: v,
        message: `${v} is a TOML float, and floats lose digits (3.10 reads as 3.1)`,
        params: { hint: 'quote it exactly as you mean it, e.g. "3.10"' },
      });
    }
  })
  .transform((v) => String(v));

/** An axis's values: one kind throughout (`["12", 13]` is a slip, and 13 reads differently in names). */
const quotedInput = (values: unknown[]) => `[${values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]`;

export const axisValues = z
  .array(z.unknown())
  .min(1, 'an axis needs at least one value')
  .superRefine((values, ctx) => {
    const kinds = new Set(values.map((v) => (typeof v === 'bigint' ? 'number' : typeof v)));
    if (kinds.size > 1 && [...kinds].every((k) => ['string', 'number', 'boolean'].includes(k))) {
      const quoted = `[${values.map((v) => JSON.stringify(String(v))).join(', ')}]`;
      ctx.addIssue({
        code: 'custom',
        input: values,
        message: `${quotedInput(values)} mixes ${[...kinds].map((k) => `${k}s`).join(' and ')}`,
        params: { hint: `write every value the same way, as strings: ${quoted}` },
      });
    }
  })
  .pipe(z.array(scalar));

export const argMap = z.record(z.string(), scalar);

/** A Dockerfile, or several concatenated in order (Dynamo's dev image: the framework's, then dev/Dockerfile.dev). */
export const dockerfile = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Why an exclude leaves its cells out; a reason of spaces is none. */
export const excludeReason = z.string().trim().min(1, 'every exclude needs a reason');

/** A lint finding accepted on purpose: its key (as lint prints it), optionally its file and words, and why. */
/** Why a lint finding is accepted; a reason of spaces is none. */
export const acceptReason = z.string().trim().min(1);

/** How a CI job runs matrixbake; blank is none. */
export const ciCommand = z
  .string()
  .trim()
  .min(1, 'the command that runs matrixbake cannot be blank')
  .describe(
    'How the jobs of the pipeline `matrixbake ci --format gitlab` writes run matrixbake: a shell command the subcommand follows (`release ...`, `bake ...`). Default "npx matrixbake" (the package the repository installs); e.g. "node dist/cli.js" in a checkout of matrixbake, "npx --yes matrixbake@0.1.0" for a pinned version.',
  );
