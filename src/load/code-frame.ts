const WIDTH = 100;

/**
 * The offending source line and a caret under `column` (both 1-based), two lines for stderr under
 * the one-line message. A long line is cut around the column; control characters are shown as
 * `?` (a tab as a space) so the caret stays aligned and nothing reaches the terminal raw.
 */
export function codeFrame(text: string, line: number, column: number): string {
  const source = text.split(/\r?\n/)[line - 1] ?? '';
  const at = Math.min(Math.max(column - 1, 0), source.length);
  const start = source.length <= WIDTH ? 0 : Math.max(0, Math.min(at - WIDTH / 2, source.length - WIDTH));
  const end = Math.min(source.length, start + WIDTH);
  const shown = `${start > 0 ? '…' : ''}${visible(source.slice(start, end))}${end < source.length ? '…' : ''}`;
  const caret = at - start + (start > 0 ? 1 : 0);
  const gutter = String(line);
  return `  ${gutter} | ${shown}\n  ${' '.repeat(gutter.length)} | ${' '.repeat(caret)}^`;
}

function visible(s: string): string {
  return s.replaceAll('\t', ' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}
