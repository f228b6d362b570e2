import TOML from '@iarna/toml';

// The one place that knows the TOML library.

export interface TomlSyntaxError {
  /** 1-based. */
  line: number;
  column: number;
  /** The parser's own words, its code-point numbers turned back into characters. */
  message: string;
}

export function parseToml(text: string): { value: unknown } | { error: TomlSyntaxError } {
  try {
    return { value: TOML.parse(text) };
  } catch (e) {
    const err = e as { line?: number; col?: number; message?: string };
    // @iarna/toml appends its own frame after " at row "; keep the first sentence. It names some
    // characters by their code point (`Unknown character "123"`), which no user recognises.
    const message = String(err.message ?? e)
      .split(' at row ')[0]!
      .trim()
      .replace(/^(Unknown character ")(\d+)(")$/, (_m, a: string, n: string, b: string) => `${a}${String.fromCodePoint(Number(n))}${b}`)
      .replace(/^(Unknown escape character: )(\d+)$/, (_m, a: string, n: string) => `${a}\\${String.fromCodePoint(Number(n))}`);
    // Its line is 0-based; its column counts from 1 on the first line and from 0 on the others
    // (nextChar() resets it to -1 at a newline, to 0 at the start).
    const line = err.line ?? 0;
    const col = err.col ?? 0;
    return { error: { line: line + 1, column: Math.max(1, line === 0 ? col : col + 1), message } };
  }
}
