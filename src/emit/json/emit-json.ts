import type { BakeFileStream } from '../../bake/bake-file.js';
import { type Expr, str } from '../../bake/expr.js';
import { escapeTemplateText, templateSource } from '../../bake/template.js';
import { printHclExpr } from '../hcl/print-expr.js';
import { quoteHcl } from '../hcl/quote.js';

/**
 * The bake file as JSON. Bake reads JSON strings as HCL templates, so literals are escaped
 * (`$${`) exactly as in HCL, and anything computed is one `${...}` interpolation in native syntax.
 */
export function printJson(file: BakeFileStream): string {
  const doc = {
    variable: Object.fromEntries(file.variables.map((v) => [v.name, { default: jsonValue(v.default) }])),
    group: Object.fromEntries(file.groups.map((g) => [g.name, { targets: g.targets }])),
    target: Object.fromEntries(Array.from(file.targets, (t) => [t.name, Object.fromEntries(t.attributes.map(([k, v]) => [k, jsonValue(v)]))])),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * A literal as JSON template text. HCL's JSON reader skips template escapes in a string that
 * holds a raw carriage return (buildx reads `"\r$$${"` back as `\r$$${`, not `\r$${`), so such
 * a string is written as one interpolation of an HCL quoted string, where `\r` is an escape.
 */
function jsonLiteral(s: string): string {
  return s.includes('\r') ? `\${${quoteHcl(s)}}` : escapeTemplateText(s);
}

function jsonValue(e: Expr): unknown {
  switch (e.k) {
    case 'str':
      return jsonLiteral(e.v);
    case 'bool':
      return e.v;
    case 'null':
      return null;
    case 'tpl':
      // Literal parts holding a carriage return become quoted interpolations, as in jsonLiteral.
      return templateSource(
        e.parts.map((p) => (typeof p === 'string' && p.includes('\r') ? str(p) : p)),
        (x) => printHclExpr(x),
        (s) => s,
      );
    case 'list':
      return e.items.map(jsonValue);
    case 'map':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, jsonValue(v)]));
    default:
      return `\${${printHclExpr(e)}}`;
  }
}
