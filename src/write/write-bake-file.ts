import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectBakeFile } from '../bake/project.js';
import { EMITTERS } from '../emit/emitters.js';
import type { Compiled } from '../compile.js';
import { writeAtomic } from './write-atomic.js';

/** A bake file written for one invocation: its path, and how many of the matrix's targets it holds. */
export interface InvocationFile {
  file: string;
  targets: number;
  of: number;
  /** Its targets and groups: what a `--set` may name. */
  names: ReadonlySet<string>;
}

/**
 * What one buildx invocation reads: the bake file cut to the targets it builds (src/bake/project.ts),
 * in a content-addressed temp file, so concurrent invocations of one matrix never share a half-written file.
 */
export async function writeBakeFile(compiled: Compiled, names: readonly string[]): Promise<InvocationFile> {
  const p = projectBakeFile(compiled.plan, compiled.bake, names);
  const hcl = EMITTERS.hcl(p.bake);
  const file = join(tmpdir(), `matrixbake-${createHash('sha256').update(hcl).digest('hex').slice(0, 16)}.hcl`);
  await writeAtomic(file, hcl);
  return { file, targets: p.targets, of: p.of, names: new Set([...p.bake.targets, ...p.bake.groups].map((x) => x.name)) };
}
