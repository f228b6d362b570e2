import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';

// The matrix a command reads when none is named is the repository's to say, not matrixbake's:
// `"matrixbake": { "matrix": "..." }` in the nearest package.json (this repository's names
// matrix/dynamo.toml), else matrixbake.toml in the working directory.

export const DEFAULT_MATRIX_TEXT = 'the `matrixbake.matrix` of the nearest package.json, else matrixbake.toml';

export function defaultMatrix(cwd: string = process.cwd()): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const named = matrixOf(pkg);
      return named === undefined ? 'matrixbake.toml' : relative(cwd, resolve(dir, named));
    }
    if (dirname(dir) === dir) return 'matrixbake.toml';
  }
}

function matrixOf(pkg: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(pkg, 'utf8'));
  } catch {
    return undefined; // npm says what is wrong with it; a named MATRIX still works
  }
  const value = (json as { matrixbake?: { matrix?: unknown } } | null)?.matrixbake?.matrix;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`${pkg}: matrixbake.matrix: ${JSON.stringify(value)} is not a path (hint: "matrixbake": { "matrix": "matrix/images.toml" })`);
  return value;
}
