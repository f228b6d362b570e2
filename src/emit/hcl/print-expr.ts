import type { Expr } from '../../bake/expr.js';
import { templateSource } from '../../bake/template.js';
import { escapeHclQuoted, quoteHcl } from './quote.js';

const INDENT = '  ';
const INDENTS = Array.from({ length: 8 }, (_, i) => INDENT.repeat(i));
const indent = (depth: number) => INDENTS[depth] ?? INDENT.repeat(depth);

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
      if (e.items.length === 0) return '[]';
      if (e.items.length === 1) return `[${printHclExpr(e.items[0]!, depth)}]`;
      const pad = indent(depth + 1);
      let rows = '';
      for (const i of e.items) rows += `${pad}${printHclExpr(i, depth + 1)},\n`;
      return `[\n${rows}${indent(depth)}]`;
    }
    case 'map': {
      if (e.entries.length === 0) return '{}';
      const pad = indent(depth + 1);
      // Keys are always quoted: context names like `nvcr.io/nvidia/cuda:12.9` are not identifiers.
      const keys = e.entries.map(([k]) => quotedKey(k));
      let width = 0;
      for (const k of keys) width = Math.max(width, k.length);
      let rows = '';
      for (let i = 0; i < keys.length; i++) rows += `${pad}${keys[i]!.padEnd(width)} = ${printHclExpr(e.entries[i]![1], depth + 1)}\n`;
      return `{\n${rows}${indent(depth)}}`;
    }
  }
}

// Map keys repeat in every target (`org.opencontainers.image.title`, a link's context): quoted once.
const quotedKeys = new Map<string, string>();
function quotedKey(k: string): string {
  let q = quotedKeys.get(k);
  if (q === undefined) {
    q = quoteHcl(k);
    if (quotedKeys.size < 10_000) quotedKeys.set(k, q);
  }
  return q;
}
