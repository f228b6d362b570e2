import { asciiLookalike, describeChar, toAscii } from '../lookalikes.js';
import type { TomlSyntaxError } from './toml.js';

export interface SyntaxMessage {
  message: string;
  hint: string;
  /** The key or table the error is about, when the line says it (a key set twice). */
  path?: string;
  column: number;
}

interface Where {
  source: string;
  column: number;
  /** The text from the column to the end of the value (the culprit). */
  word: string;
  /** The header in effect at the line (`stage.base`), if any. */
  table?: string;
}

type Explain = (w: Where, match: RegExpMatchArray) => Omit<SyntaxMessage, 'column'> & { column?: number };

const HEADER = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$/;

// The parser's words, in the user's: what is wrong, the culprit, and what to write instead.
const EXPLAIN: [RegExp, Explain][] = [
  [/^Can't redefine (?:an )?existing key$/, redefined],
  [
    /^Unexpected character, expecting string, number, datetime, boolean/,
    ({ word }) =>
      /^(yes|no|on|off|true|false)$/i.test(word)
        ? { message: `${word} is not a TOML boolean`, hint: 'write true or false, lowercase and unquoted' }
        : word
          ? { message: `unquoted string ${word}`, hint: `quote strings: "${word}"` }
          : { message: 'a key has no value', hint: 'write key = value' },
  ],
  [
    /^Unknown character "(.*)"$/,
    ({ source }, [, ch]) =>
      ch === '{' && /^\s*\{/.test(source)
        ? {
            message: 'unexpected "{": this looks like JSON',
            hint: 'a matrix is TOML: a [project] header, then image = "app"; see the smallest matrix in the README of matrixbake',
          }
        : {
            message: `unexpected character ${JSON.stringify(ch)} at the start of a line`,
            hint: 'a line is a [table] header, a key = value pair or a # comment',
          },
  ],
  [
    /^Invalid character, expected "="$/,
    ({ source, column }) =>
      source[column - 1] === ':'
        ? { message: 'expected "=" after the key, found ":"', hint: 'this is TOML, not YAML or JSON: write key = value' }
        : { message: 'expected "=" after the key', hint: 'write key = value; quote a key that has spaces or dots: "my key" = 1' },
  ],
  [/^Unterminated string$/, () => ({ message: 'string is not closed', hint: 'end it with a quote on the same line; for several lines use """..."""' })],
  [/^Unterminated multi-line string$/, () => ({ message: 'multi-line string is not closed', hint: 'end it with """' })],
  [
    /^Unterminated inline array$/,
    ({ source }) =>
      source.includes('{')
        ? { message: 'inline table { ... } is not closed on its line', hint: 'an inline table must fit on one line; for several lines use a [section] table' }
        : { message: 'list is not closed', hint: 'end it with ]' },
  ],
  [
    /^Invalid character, expected whitespace, comma \(,\) or close bracket \(\]\)$/,
    ({ source, column, word }) => {
      const version = /(\d+(?:\.\d+){2,})\s*$/.exec(source.slice(0, column - 1) + word)?.[1];
      if (version) return { message: `${version} is not a TOML number`, hint: `quote version numbers: "${version}"` };
      return innermostOpen(source, column) === '{'
        ? {
            message: `expected "," or "}" in an inline table, found ${word || 'the end of the line'}`,
            hint: 'separate entries with commas: { a = "1", b = "2" }',
          }
        : { message: `expected "," or "]" in a list, found ${word || 'the end of the line'}`, hint: 'separate list items with commas: ["12", "13"]' };
    },
  ],
  [
    /^Trailing commas in inline tables are not permitted$/,
    () => ({ message: 'trailing comma in an inline table', hint: 'remove the comma before "}" (TOML allows one in [lists], not in { tables })' }),
  ],
  [
    /^Unexpected character, expected whitespace, \. or \]$/,
    () => ({ message: 'table header is not closed, or has an unquoted space', hint: 'write [stage.base]; quote a name with spaces: [stage."my stage"]' }),
  ],
  [
    /^Unexpected character, expected only whitespace or comments till end of line$/,
    ({ source }) => {
      const version = /=\s*(\d+(?:\.\d+){2,})/.exec(source)?.[1];
      return version
        ? { message: `${version} is not a TOML number`, hint: `quote version numbers: "${version}"` }
        : { message: 'unexpected text after the value', hint: 'write one key = value per line; quote strings that hold spaces' };
    },
  ],
  [/^Key(?: ended)? without value$/, () => ({ message: 'a key has no value', hint: 'write key = value' })],
  [
    /^Unknown escape character: (.*)$/,
    (_w, [, esc]) => ({ message: `unknown escape ${esc} in a string`, hint: "write paths with /, a backslash as \\\\, or use a 'literal string'" }),
  ],
  [/^Control characters/, () => ({ message: 'a string holds a control character', hint: 'write it as an escape such as \\t or \\u0001' })],
  [
    /datetime|date|time|number|digit|hyphen/i,
    ({ word, source, column }) => {
      // @iarna/toml stops after a local date or time in a list (`[2025-01-31]`): the culprit is before the column.
      const culprit = word || (/[^\s,[=]+$/.exec(source.slice(0, column - 1))?.[0] ?? '');
      return culprit
        ? { message: `${culprit} is not a valid number or date here`, hint: `quote it: "${culprit}"` }
        : { message: 'a value is not a valid number or date', hint: 'quote it if it is a string: "..."' };
    },
  ],
];

export function explainSyntaxError(text: string, e: TomlSyntaxError): SyntaxMessage {
  const lines = text.split(/\r?\n/);
  const source = lines[e.line - 1] ?? '';
  const lookalike = nonAsciiAt(source, e.column);
  if (lookalike) return { column: e.column, ...lookalike, message: `TOML syntax error: ${lookalike.message}` };
  const word = /^[^\s,\]}#]*/.exec(source.slice(e.column - 1))![0];
  const table = lines
    .slice(0, e.line - 1)
    .reverse()
    .map((l) => HEADER.exec(l)?.[1])
    .find((h) => h !== undefined);
  const where: Where = { source, column: e.column, word, ...(table === undefined ? {} : { table }) };
  for (const [re, explain] of EXPLAIN) {
    const m = re.exec(e.message);
    if (m) {
      const out = explain(where, m);
      return { column: e.column, ...out, message: `TOML syntax error: ${out.message}` };
    }
  }
  const own = e.message.charAt(0).toLowerCase() + e.message.slice(1);
  return { column: e.column, message: `TOML syntax error: ${own}`, hint: 'see https://toml.io for the syntax' };
}

// Outside strings and comments TOML is ASCII, so a parser stopping at a non-ASCII character has
// found the culprit: a curly quote, a Cyrillic letter in a bare key, a fullwidth "＝".
function nonAsciiAt(source: string, column: number): { message: string; hint: string } | undefined {
  const ch = [...source.slice(column - 1)][0];
  if (ch === undefined || ch.codePointAt(0)! < 0x80) return undefined;
  const ascii = asciiLookalike(ch);
  const fixed = toAscii(source.trim());
  if (ascii === '"' || ascii === "'")
    return { message: `${describeChar(ch)} is a curly quote, which TOML does not read as a quote`, hint: `type straight quotes: ${fixed}` };
  if (ascii !== undefined)
    return { message: `${describeChar(ch)} only looks like ${JSON.stringify(ascii)}: outside strings, TOML is ASCII`, hint: `retype it: ${fixed}` };
  return {
    message: `unexpected character ${describeChar(ch)}: a bare key is ASCII letters, digits, "_" and "-"`,
    hint: 'quote a key that holds other characters: "..." = value, [stage."..."]',
  };
}

// A table or key written twice: name it, point at its start, and say how to merge.
function redefined({ source, table }: Where): ReturnType<Explain> {
  const column = source.length - source.trimStart().length + 1;
  const header = HEADER.exec(source)?.[1];
  if (header !== undefined) {
    const name = header.replace(/\s*\.\s*/g, '.');
    return { path: name, column, message: `[${name}] is already defined above`, hint: `merge the two [${name}] sections into one` };
  }
  if (source.includes('{')) return { message: 'a key is set twice in an inline table', hint: 'keep one of the two' };
  const key = /^\s*([A-Za-z0-9_.-]+|"[^"]*"|'[^']*')\s*=/.exec(source)?.[1];
  if (key === undefined) return { message: 'a key is set twice', hint: 'keep one of the two' };
  return {
    path: table ? `${table}.${key}` : key,
    column,
    message: `key ${key} is set twice${table ? ` in [${table}]` : ''}`,
    hint: 'keep one of the two lines',
  };
}

/** The bracket still open at `column` ('[' or '{'), ignoring those inside strings. */
function innermostOpen(source: string, column: number): string | undefined {
  const open: string[] = [];
  let quote: string | undefined;
  for (const ch of source.slice(0, column - 1)) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') open.push(ch);
    else if (ch === ']' || ch === '}') open.pop();
  }
  return open.at(-1);
}
