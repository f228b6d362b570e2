import { keySegment, showValue } from '../show-value.js';

// Types in the words of a TOML file, not of zod or JavaScript.

const WORDS: Record<string, string> = { string: 'a string', number: 'a number', boolean: 'true or false', bigint: 'an integer', array: 'a list', object: 'a table', record: 'a table', date: 'a date' };

export function expectedWords(expected: string[]): string {
  const scalar = ['string', 'number', 'boolean'].every((t) => expected.includes(t));
  const kinds = scalar ? ['value', ...expected.filter((e) => !['string', 'number', 'boolean', 'bigint'].includes(e))] : expected;
  const words = [...new Set(kinds.filter((e) => e !== 'bigint').map((e) => (e === 'value' ? 'a string or number' : e === 'array' && scalar ? 'a list of them' : (WORDS[e] ?? e))))];
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
  return `a ${typeof v} ${showValue(v)}`;
}

/** What to write instead, for the type slips users make. */
export function typeHint(path: readonly PropertyKey[], expected: string, input: unknown): string | undefined {
  const key = keySegment(String(path.at(-1) ?? ''));
  if (typeof path.at(-1) === 'number') return `write the list as ${keySegment(lastName(path))} = ["...", "..."]`;
  const scalar = ['string', 'number', 'boolean', 'bigint'].includes(typeof input);
  const isTable = typeof input === 'object' && input !== null && !Array.isArray(input) && !(input instanceof Date);
  if (expected === 'array' && scalar) return `write a list: ${key} = [${showValue(input)}]`;
  if (expected === 'array' && isTable && path[0] === 'matrix' && path.length === 2) return `an axis is a list under [matrix]: ${key} = ["..."]; settings of one value go under [axis.${key}.values.<value>]`;
  if (expected === 'array') return `write a list: ${key} = ["...", "..."]`;
  if (expected === 'boolean' && typeof input === 'string') return `write ${key} = true or ${key} = false, without quotes`;
  if (expected === 'string' && scalar) return `quote it: ${key} = "${String(input)}"`;
  if (expected === 'string' && input instanceof Date) return 'quote it: TOML reads an unquoted date as a date';
  if ((expected === 'record' || expected === 'object') && (Array.isArray(input) || scalar)) {
    if (key === 'uses') return 'write uses = { <named context> = "<stage>" }, e.g. uses = { dynamo-base = "base" }';
    if (key === 'args') return 'write args = { NAME = "value" }';
    if (key === 'variables' || key === 'runners') return `write a table: [${path.map(String).join('.')}] with NAME = "value" lines`;
    return 'write a table: [name] with key = value lines, or { key = value } inline';
  }
  return undefined;
}

/** The last key of a path that is a name, not a list index: `matrix.cuda[1]` -> cuda. */
export function lastName(path: readonly PropertyKey[]): string {
  return String([...path].reverse().find((p) => typeof p === 'string') ?? '');
}
