import { createHash } from 'node:crypto';
import { posix } from 'node:path';

// A Dockerfile made of several, concatenated in order, as Dynamo's build script makes its dev
// images (the framework's Dockerfile, then dev/Dockerfile.dev). matrixbake writes the composed
// file where bake reads it (`project.composed_dir`), and maps a line of it back to its part.

/** Where the composition of `parts` is written: one file per distinct list, named after its parts. */
export function composedPath(dir: string, parts: string[]): string {
  const slug = parts.map((p) => posix.basename(p).replace(/[^A-Za-z0-9._-]+/g, '_')).join('+');
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
  return posix.join(dir, `${slug.slice(0, 120)}-${hash}.Dockerfile`);
}

export interface Composed {
  text: string;
  /** Where each part starts in the text (1-based line) and how many lines it has. */
  parts: { file: string; start: number; lines: number }[];
}

/** The parts joined in order, each ending in a newline; a note at the end says where they came from. */
export function compose(parts: { file: string; text: string }[]): Composed {
  let text = '';
  let line = 1;
  const map: Composed['parts'] = [];
  for (const p of parts) {
    const body = p.text.endsWith('\n') || p.text === '' ? p.text : `${p.text}\n`;
    const lines = body === '' ? 0 : body.split('\n').length - 1;
    map.push({ file: p.file, start: line, lines });
    text += body;
    line += lines;
  }
  // At the end, not the top: a `# syntax=` directive must stay the first line.
  text += `# Composed by matrixbake from ${parts.map((p) => p.file).join(' + ')}, in that order: edit those, not this file.\n`;
  return { text, parts: map };
}

/** A line of the composed text as the part and line it came from (the note at the end: the last part). */
export function sourceLine(c: Composed, line: number): { file: string; line: number } {
  const part = c.parts.find((p) => line >= p.start && line < p.start + p.lines) ?? c.parts.at(-1)!;
  return { file: part.file, line: Math.max(1, line - part.start + 1) };
}
