// How a message shows the value it complains about: as TOML would write it, on one line, cut when
// long, so the culprit is recognisable without flooding the terminal.

const MAX = 60;

export function showValue(value: unknown, max = MAX): string {
  const text = render(value);
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A string as it is quoted in messages: JSON quoting escapes quotes, tabs and newlines. */
export function showString(s: string, max = MAX): string {
  const quoted = JSON.stringify(s);
  return quoted.length <= max ? quoted : `${quoted.slice(0, max - 2)}…" (${s.length} characters)`;
}

function render(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : v.toISOString().replace('T00:00:00.000Z', '');
  if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
  if (v && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${keySegment(k)} = ${render(x)}`)
      .join(', ')} }`;
  return String(v);
}

/** A key as TOML writes it in a dotted path: bare when it can be, else quoted. */
export function keySegment(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

/** `stage`, `run time`, `axes` -> `stage."run time".axes`; numbers are list indexes (`[1]`). */
export function keyPath(...segments: (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${keySegment(s)}`)).join('');
}

/** A list for one line: all of a short one, the first three of a long one and how many more. */
export function someOf(names: string[]): string {
  return names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}
