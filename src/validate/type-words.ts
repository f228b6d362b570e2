import { guessArch } from '../model/arch-names.js';
import { ARCH_AXIS, ARCH_PLATFORMS } from '../model/model.js';
import { keySegment, showValue } from '../show-value.js';

// Types in the words of a TOML file, not of zod or JavaScript.

const WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  bigint: 'an integer',
  array: 'a list',
  object: 'a table',
  record: 'a table',
  date: 'a date',
};

export function expectedWords(expected: string[]): string {
  const scalar = ['string', 'number', 'boolean'].every((t) => expected.includes(t));
  const kinds = scalar ? ['value', ...expected.filter((e) => !['string', 'number', 'boolean', 'bigint'].includes(e))] : expected;
  const words = [
    ...new Set(
      kinds.filter((e) => e !== 'bigint').map((e) => (e === 'value' ? 'a string or number' : e === 'array' && scalar ? 'a list of them' : (WORDS[e] ?? e))),
    ),
  ];
  if (words.length <= 1) return words[0] ?? 'another type';
  return `${words.slice(0, -1).join(', ')}${words.at(-1) === 'a list of them' ? ',' : ''} or ${words.at(-1)}`;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list ${showValue(v)}`;
  if (v instanceof Date) return `a date ${showValue(v)}`;
  if (typeof v === 'object') return `a table ${showValue(v)}`;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `the integer ${v}`;
  // TOML's nan and inf are floats; "a number NaN" would contradict "expected a number".
  if (typeof v === 'number' && !Number.isFinite(v)) return `the float ${Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'}`;
  return `a ${typeof v} ${showValue(v)}`;
}

/** What to write instead, for the type slips users make. */
export function typeHint(path: readonly PropertyKey[], expected: string, input: unknown): string | undefined {
  const key = keySegment(String(path.at(-1) ?? ''));
  if (typeof path.at(-1) === 'number') return `write the list as ${keySegment(lastName(path))} = ["...", "..."]`;
  const scalar = ['string', 'number', 'boolean', 'bigint'].includes(typeof input);
  const isTable = typeof input === 'object' && input !== null && !Array.isArray(input) && !(input instanceof Date);
  if (expected === 'array' && typeof input === 'string' && input.includes(',')) return `write a list: ${key} = [${splitList(path, input)}]`;
  if (expected === 'array' && scalar) return `write a list: ${key} = [${showValue(input)}]`;
  if (expected === 'array' && isTable && path[0] === 'matrix' && path.length === 2)
    return `an axis is a list under [matrix]: ${key} = ["..."]; settings of one value go under [axis.${key}.values.<value>]`;
  if (expected === 'array') return `write a list: ${key} = ["...", "..."]`;
  if (expected === 'boolean') return `write ${key} = true or ${key} = false${typeof input === 'string' ? ', without quotes' : ''}`;
  if (expected === 'string' && scalar) return `quote it: ${key} = "${String(input)}"`;
  if (expected === 'string' && input instanceof Date) return 'quote it: TOML reads an unquoted date as a date';
  if (expected === 'string' && path[0] === 'ci' && Array.isArray(input))
    return `write one runner label: ${key} = "..." (a runs-on list of labels is not supported)`;
  if (expected === 'string' && Array.isArray(input) && input.length === 1 && typeof input[0] === 'string')
    return `write one value, not a list: ${key} = ${showValue(input[0])}`;
  if (expected === 'string') return `write ${key} = "..."`;
  if ((expected === 'record' || expected === 'object') && (Array.isArray(input) || scalar)) {
    if (key === 'uses') return 'write uses = { <named context> = "<stage>" }, e.g. uses = { dynamo-base = "base" }';
    if (key === 'args') return 'write args = { NAME = "value" }';
    if (key === 'values' && path[0] === 'axis')
      return `the values are listed under [matrix]: ${keySegment(String(path[1]))} = ${Array.isArray(input) ? showValue(input) : '["..."]'}; [axis.${keySegment(String(path[1]))}.values.<value>] holds the settings of one value`;
    if (key === 'runners') return 'write a table: [ci.runners] with one line per arch, e.g. amd64 = "ubuntu-24.04"';
    if (key === 'variables') return `write a table: [${path.map(String).join('.')}] with NAME = "value" lines`;
    return 'write a table: [name] with key = value lines, or { key = value } inline';
  }
  return undefined;
}

// `cuda = "12, 13"`, `arch = "linux/amd64,linux/arm64"` (buildx --platform): one string for a list.
function splitList(path: readonly PropertyKey[], input: string): string {
  const items = input
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const arch = path[0] === 'matrix' && path[1] === ARCH_AXIS;
  return items.map((s) => JSON.stringify(arch ? (guessArch(s, Object.keys(ARCH_PLATFORMS)) ?? s) : s)).join(', ');
}

/** The last key of a path that is a name, not a list index: `matrix.cuda[1]` -> cuda. */
export function lastName(path: readonly PropertyKey[]): string {
  return String([...path].reverse().find((p) => typeof p === 'string') ?? '');
}
