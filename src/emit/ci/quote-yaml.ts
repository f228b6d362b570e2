/**
 * A YAML double-quoted scalar that reads back as exactly `s`, in every YAML parser (GitLab's
 * Psych included): only printable ASCII stands as itself; quotes, backslashes, control and
 * non-ASCII characters are escapes (YAML 1.1 and 1.2 alike), so nothing is ever a line break,
 * a comment, an anchor or a tag.
 */
export function quoteYaml(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xff) out += `\\x${hex(c, 2)}`;
    else if (c <= 0xffff) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}"`;
}

const hex = (c: number, width: number) => c.toString(16).toUpperCase().padStart(width, '0');
