import { lookalikeNote } from './lookalikes.js';

// Errors as values. Every step returns a Result; only the CLI turns diagnostics into text and
// exit codes (src/cli/exit.ts).

export interface Diagnostic {
  severity: 'error' | 'warning';
  /** The matrix (or other input) file the problem is in. */
  file?: string;
  /** Dot path of the key, e.g. `stage.runtime.uses.backend`. */
  path?: string;
  /** 1-based position, for syntax errors. */
  line?: number;
  column?: number;
  message: string;
  /** What to do about it. */
  hint?: string;
  /** A few source lines around `line`, for syntax errors. */
  frame?: string;
}

export type Result<T> = { ok: true; value: T; warnings: Diagnostic[] } | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

export const ok = <T>(value: T, warnings: Diagnostic[] = []): Result<T> => ({ ok: true, value, warnings });

export const fail = <T = never>(errors: Diagnostic[], warnings: Diagnostic[] = []): Result<T> => ({
  ok: false,
  errors,
  warnings,
});

export function error(path: string | undefined, message: string, hint?: string): Diagnostic {
  return { severity: 'error', ...(path === undefined ? {} : { path }), message, ...(hint ? { hint } : {}) };
}

export function warning(path: string | undefined, message: string, hint?: string): Diagnostic {
  return { ...error(path, message, hint), severity: 'warning' };
}

/** One line: `file:line:col: path: message (hint)`. The frame, if any, follows on its own lines. */
export function formatDiagnostic(d: Diagnostic): string {
  let where = d.file ?? '';
  if (d.line !== undefined) where += `:${d.line}${d.column !== undefined ? `:${d.column}` : ''}`;
  const head = [where, d.path].filter(Boolean).join(': ');
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  const line = oneLine(`${head ? `${head}: ` : ''}${prefix}${d.message}${d.hint ? ` (hint: ${d.hint})` : ''}`);
  return d.frame ? `${line}\n${d.frame}` : line;
}

// A user's key or value may hold a newline, a tab or a terminal escape; a message quoting it must
// still be one line that prints nothing raw, so scripts can count and grep them. Invisible
// characters (zero-width, bidi controls) and spaces other than U+0020 are spelt out too, or the
// culprit would look exactly like what the user meant.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\p{Cf}\p{Zs}]/gu;

function oneLine(s: string): string {
  return s.replace(UNPRINTABLE, (c) =>
    c === ' ' ? c : ({ '\n': '\\n', '\r': '\\r', '\t': '\\t' }[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/** Closest candidate by edit distance, for "did you mean" hints; undefined when nothing is close. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  // The same words in another order (`runtime-cuda13-trtllm` for `runtime-trtllm-cuda13`): a name's
  // axis values come in the order of [matrix], which the user need not remember.
  const words = (s: string) => s.toLowerCase().split('-').sort().join('-');
  const list = [...candidates];
  if (word.includes('-')) {
    const reordered = list.find((c) => c !== word && words(c) === words(word));
    if (reordered !== undefined) return reordered;
  }
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of list) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestScore) [best, bestScore] = [c, d];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  return meant(word, closest(word, candidates));
}

/** ` (did you mean "base"?)` for a guess, saying which look-alike character tells them apart. */
export function meant(word: string, guess: string | undefined): string {
  const note = lookalikeNote(word);
  return guess === undefined ? '' : ` (did you mean "${guess}"?${note ? ` ${note}` : ''})`;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
