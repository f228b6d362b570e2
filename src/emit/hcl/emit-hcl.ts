import type { BakeFileStream } from '../../bake/bake-file.js';
import { list, str } from '../../bake/expr.js';
import { printHclExpr } from './print-expr.js';
import { quoteHcl } from './quote.js';

/** The bake file as HCL: variables, then groups, then targets; one place owns layout. */
export function printHcl(file: BakeFileStream): string {
  const out = new Chunks();
  out.add(`${file.header.map(comment).join('\n')}\n\n`);
  for (const v of file.variables) {
    out.add(`${comment(v.comment)}\nvariable ${quoteHcl(v.name)} {\n  default = ${printHclExpr(v.default, 1)}\n}\n\n`);
  }
  for (const g of file.groups) {
    out.add(`${comment(g.comment)}\ngroup ${quoteHcl(g.name)} {\n  targets = ${printHclExpr(list(g.targets.map(str)), 1)}\n}\n\n`);
  }
  for (const t of file.targets) {
    let width = 0;
    for (const [k] of t.attributes) width = Math.max(width, k.length);
    const lines = [`${t.comment ? `${comment(t.comment)}\n` : ''}target ${quoteHcl(t.name)} {`];
    for (const [k, v] of t.attributes) lines.push(`  ${k.padEnd(width)} = ${printHclExpr(v, 1)}`);
    lines.push('}\n\n');
    out.add(lines.join('\n'));
  }
  return `${out.text().trimEnd()}\n`;
}

/**
 * `# ` before every line. Comments hold user text (a group's axis value, the matrix's file name),
 * and a line break in it would end the comment: what follows would be read as HCL.
 */
function comment(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
}

/**
 * Text joined into flat strings of about 256 KiB as it grows. A 10,000-target file is 6 MB:
 * kept as many small pieces, every young-generation GC copied all of them again (a third of
 * compile time); flat strings this large live outside the young generation.
 */
class Chunks {
  private readonly done: string[] = [];
  private pending: string[] = [];
  private size = 0;

  add(s: string): void {
    this.pending.push(s);
    this.size += s.length;
    if (this.size >= 1 << 18) this.flush();
  }

  text(): string {
    this.flush();
    return this.done.join('');
  }

  private flush(): void {
    this.done.push(this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
}
