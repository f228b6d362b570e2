import type { BakeFile } from '../../bake/bake-file.js';
import { list, str } from '../../bake/expr.js';
import { printHclExpr } from './print-expr.js';
import { quoteHcl } from './quote.js';

/** The bake file as HCL: variables, then groups, then targets; one place owns layout. */
export function printHcl(file: BakeFile): string {
  const out: string[] = file.header.map((l) => `# ${l}`.trimEnd());
  out.push('');
  for (const v of file.variables) {
    out.push(`# ${v.comment}`, `variable ${quoteHcl(v.name)} {`, `  default = ${printHclExpr(v.default, 1)}`, '}', '');
  }
  for (const g of file.groups) {
    out.push(`# ${g.comment}`, `group ${quoteHcl(g.name)} {`, `  targets = ${printHclExpr(list(g.targets.map(str)), 1)}`, '}', '');
  }
  for (const t of file.targets) {
    out.push(`target ${quoteHcl(t.name)} {`);
    const width = Math.max(...t.attributes.map(([k]) => k.length));
    for (const [k, v] of t.attributes) out.push(`  ${k.padEnd(width)} = ${printHclExpr(v, 1)}`);
    out.push('}', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
