import { compileMatrix, type Compiled } from '../compile.js';
import type { Diagnostic } from '../diagnostics.js';
import { InputError } from '../errors.js';

/** The commands' entry to the pipeline: bad input becomes an InputError, warnings go to `warn`. */
export async function compileOrThrow(matrix: string, warn: (d: Diagnostic) => void): Promise<Compiled> {
  const r = await compileMatrix(matrix);
  r.warnings.forEach(warn);
  if (!r.ok) throw new InputError(r.errors);
  return r.value;
}
