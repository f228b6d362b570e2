import { templateSource } from '../../bake/template.js';

/** Backslash escapes of an HCL quoted string; everything else (non-ASCII included) stays as is. */
export function escapeHclQuoted(s: string): string {
  // Most text has nothing to escape: a 10,000-target file's tag templates went through here a character at a time.
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f]/;

/** No quote, backslash, control character, `$` or `%`: the string is its own HCL literal. */
const PLAIN = /^[^"\\\x00-\x1f\x7f$%]*$/;

/** A user string as an HCL literal: `${` and `%{` stay literal, quotes and newlines round-trip. */
export function quoteHcl(s: string): string {
  // Most strings need no escape at all; a 10,000-target file spends its time here otherwise.
  if (PLAIN.test(s)) return `"${s}"`;
  return `"${templateSource([s], () => '', escapeHclQuoted)}"`;
}
