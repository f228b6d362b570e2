import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics.js';
import { emit } from '../compile.js';
import type { Format } from '../emit/emitters.js';
import { CheckFailed } from '../errors.js';
import { writeAtomic } from '../write/write-atomic.js';
import { compileOrThrow } from './compile-or-throw.js';
import { repoRoot } from '../load/repo-root.js';
import { staleComposed, writeComposed } from '../write/write-composed.js';

export interface CompileOptions {
  matrix: string;
  /** Output file; undefined = return the text for stdout. */
  out?: string;
  format: Format;
  /** Compare with `out` instead of writing it. */
  check: boolean;
  warn: (d: Diagnostic) => void;
}

/** Returns what to print on stdout (the bake file when no -o, else a one-line report). */
export async function compileCommand(o: CompileOptions): Promise<string> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  const text = emit(compiled, o.format);
  // A bake file that names composed Dockerfiles comes with them (written next to the parts' repo).
  const composes = o.format !== 'resolved' && compiled.plan.targets.some((t) => t.dockerfileParts);
  if (o.check) {
    const current = await readFile(o.out!, 'utf8').catch(() => undefined);
    if (current === undefined) throw new CheckFailed(`${o.out} does not exist`, [`run: matrixbake compile ${o.matrix} -o ${o.out}`]);
    if (current !== text)
      throw new CheckFailed(`${o.out} is stale: it differs from what ${o.matrix} compiles to`, [
        ...diffSummary(current, text),
        `run: matrixbake compile ${o.matrix} -o ${o.out}`,
      ]);
    const stale = composes ? await staleComposed(compiled.plan, repoRoot(o.matrix)) : [];
    if (stale.length > 0)
      throw new CheckFailed(`${stale.length} composed Dockerfile${stale.length === 1 ? ' is' : 's are'} missing or stale: ${stale.join(', ')}`, [
        `run: matrixbake compile ${o.matrix} -o ${o.out}`,
      ]);
    return `${o.out} is current with ${o.matrix}\n`;
  }
  if (o.out === undefined) return text;
  if (composes) await writeComposed(compiled.plan, repoRoot(o.matrix));
  await writeAtomic(o.out, text);
  return '';
}

function diffSummary(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const first = a.findIndex((line, i) => line !== b[i]);
  const at = first === -1 ? Math.min(a.length, b.length) : first;
  return [
    `${a.length} lines now, ${b.length} expected; first difference at line ${at + 1}:`,
    `  - ${a[at] ?? '(end of file)'}`,
    `  + ${b[at] ?? '(end of file)'}`,
  ];
}
