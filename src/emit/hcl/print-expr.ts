import type { Expr } from '../../bake/expr.js';
import { templateSource } from '../../bake/template.js';
import { escapeHclQuoted, quoteHcl } from './quote.js';

const INDENT = '  ';

/** An interpolation's expression: on one line. */
const printInline = (e: Expr) => printHclExpr(e);

/** An expression in HCL native syntax. Lists and maps break over lines when they hold more than one item. */
export function printHclExpr(e: Expr, depth = 0): string {
  switch (e.k) {
    case 'str':
      return quoteHcl(e.v);
    case 'bool':
      return String(e.v);
    case 'null':
      return 'null';
    case 'var':
      return e.name;
    case 'tpl':
      return `"${templateSource(e.parts, printInline, escapeHclQuoted)}"`;
    case 'call':
      return `${e.fn}(${e.args.map((a) => printHclExpr(a)).join(', ')})`;
    case 'cond':
      return `${printHclExpr(e.test, depth)} ? ${printHclExpr(e.then, depth)} : ${printHclExpr(e.else, depth)}`;
    case 'list': {
      if (e.items.length <= 1) return `[${e.items.map((i) => printHclExpr(i, depth)).join(', ')}]`;
      const pad = INDENT.repeat(depth + 1);
      return `[\n${e.items.map((i) => `${pad}${printHclExpr(i, depth + 1)},`).join('\n')}\n${INDENT.repeat(depth)}]`;
    }
    case 'map': {
      if (e.entries.length === 0) return '{}';
      const pad = INDENT.repeat(depth + 1);
      // Keys are always quoted: context names like `nvcr.io/nvidia/cuda:12.9` are not identifiers.
      const keys = e.entries.map(([k]) => quoteHcl(k));
      let width = 0;
      for (const k of keys) width = Math.max(width, k.length);
      let rows = '';
      for (let i = 0; i < keys.length; i++) rows += `${pad}${keys[i]!.padEnd(width)} = ${printHclExpr(e.entries[i]![1], depth + 1)}\n`;
      return `{\n${rows}${INDENT.repeat(depth)}}`;
    }
  }
}
