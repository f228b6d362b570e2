import TOML from '@iarna/toml';

// The one place that knows the TOML library.

export interface TomlSyntaxError {
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export function parseToml(text: string): { value: unknown } | { error: TomlSyntaxError } {
  try {
    return { value: TOML.parse(text) };
  } catch (e) {
    const err = e as { line?: number; col?: number; message?: string };
    // @iarna/toml reports 0-based row/col and appends its own frame; keep the first sentence.
    const message = String(err.message ?? e).split(' at row ')[0]!.trim();
    return { error: { line: (err.line ?? 0) + 1, column: (err.col ?? 0) + 1, message } };
  }
}
