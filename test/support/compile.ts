import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileMatrix, emit, type Compiled } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics.js';

export async function compileOk(file: string): Promise<Compiled> {
  const r = await compileMatrix(file);
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.value;
}

/** Compile a matrix given as text; returns the errors (formatted) or the compiled value. */
export async function compileText(toml: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'mb-')), 'matrix.toml');
  writeFileSync(file, toml);
  return { file, result: await compileMatrix(file) };
}

export function writeTemp(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mb-')), name);
  writeFileSync(file, content);
  return file;
}

export { emit };
