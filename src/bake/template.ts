import type { Expr } from './expr.js';

/**
 * The source of an HCL template (HCL native strings and JSON strings are both templates):
 * literal text with `${` and `%{` doubled, interpolations as `${expr}`.
 * `escapeLiteral` adds the quoting of the host syntax (HCL backslash escapes; JSON does its own).
 */
export function templateSource(parts: (string | Expr)[], printExpr: (e: Expr) => string, escapeLiteral: (s: string) => string): string {
  let out = '';
  parts.forEach((part, i) => {
    if (typeof part !== 'string') {
      out += `\${${printExpr(part)}}`;
      return;
    }
    let text = escapeTemplateText(part);
    let tail = '';
    // A literal `$` right before an interpolation would read as the escape `$${`: spell each
    // trailing `$` as an interpolation of "$".
    if (text.endsWith('$') && i + 1 < parts.length && typeof parts[i + 1] !== 'string') {
      const m = /\$+$/.exec(text);
      if (m) {
        text = text.slice(0, m.index);
        tail = '${"$"}'.repeat(m[0].length);
      }
    }
    out += escapeLiteral(text) + tail;
  });
  return out;
}

/** `${` -> `$${`, `%{` -> `%%{`: the template language's own escapes. */
export function escapeTemplateText(s: string): string {
  if (!s.includes('{')) return s;
  // Replacer functions: in a replacement *string*, JS reads `$$` as one `$`.
  return s.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
}
