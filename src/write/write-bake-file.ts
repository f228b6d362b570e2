import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emit, type Compiled } from '../compile.js';
import { writeAtomic } from './write-atomic.js';

/** The compiled bake file in a content-addressed temp file: what every buildx call here reads. */
export async function writeBakeFile(compiled: Compiled): Promise<string> {
  const hcl = emit(compiled, 'hcl');
  const file = join(tmpdir(), `matrixbake-${createHash('sha256').update(hcl).digest('hex').slice(0, 16)}.hcl`);
  await writeAtomic(file, hcl);
  return file;
}
