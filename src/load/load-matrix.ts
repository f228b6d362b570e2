import { open, stat } from 'node:fs/promises';
import { error, fail, ok, type Result } from '../diagnostics.js';
import { codeFrame } from './code-frame.js';
import { parseToml } from './toml.js';

/** A matrix larger than this is refused before it is read: real matrices are a few KiB. */
export const MAX_MATRIX_BYTES = 1024 * 1024;

export interface LoadedMatrix {
  file: string;
  text: string;
  raw: unknown;
}

export async function loadMatrix(file: string): Promise<Result<LoadedMatrix>> {
  const at = (message: string, hint?: string) => fail<LoadedMatrix>([{ ...error(undefined, message, hint), file }]);
  let info;
  try {
    info = await stat(file);
  } catch {
    return at('no such matrix file', 'pass the path of a matrix TOML file, e.g. matrix/dynamo.toml');
  }
  if (info.isDirectory()) return at('is a directory, not a matrix file', `pass a .toml file inside it`);
  if (!info.isFile()) return at('is not a regular file');
  if (info.size > MAX_MATRIX_BYTES) {
    return at(`file is ${info.size} bytes, over the ${MAX_MATRIX_BYTES}-byte limit for a matrix`, 'split the matrix');
  }
  const text = await readAtMost(file, MAX_MATRIX_BYTES);
  if (text === undefined) return at(`file grew over the ${MAX_MATRIX_BYTES}-byte limit while being read`);
  const parsed = parseToml(text);
  if ('error' in parsed) {
    const { line, column, message } = parsed.error;
    return fail([
      { severity: 'error', file, line, column, message: `TOML syntax error: ${message}`, frame: codeFrame(text, line, column) },
    ]);
  }
  return ok({ file, text, raw: parsed.value });
}

// Reads through a handle with a hard cap, so a file swapped for a huge one after stat() is still
// never read whole into memory.
async function readAtMost(file: string, limit: number): Promise<string | undefined> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(limit + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, size, buf.length - size, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > limit) return undefined;
    }
    return buf.subarray(0, size).toString('utf8');
  } finally {
    await handle.close();
  }
}
