import { compileMatrix, type Compiled } from '../compile.js';
import type { Diagnostic } from '../diagnostics.js';
import { InputError } from '../errors.js';

/**
 * The commands' entry to the pipeline: bad input becomes an InputError, warnings go to `warn`.
 * Warnings wait until the errors are fixed, so a failed run shows only what stops it.
 */
export async function compileOrThrow(matrix: string, warn: (d: Diagnostic) => void): Promise<Compiled> {
  const r = await compileMatrix(matrix);
  if (!r.ok) throw new InputError(r.errors);
  r.warnings.forEach(warn);
  return r.value;
}
