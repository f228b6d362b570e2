import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { COMMANDS, isCommand, unknownCommand, type CommandName } from './commands.js';
import { MATRIX } from './options/shared.js';
import type { CommandSpec, FlagSpec } from './spec.js';

// Both the global help and each command's help are printed from the commands' tables
// (commands.ts); test/unit/cli/cli.test.ts runs every example they hold.

const WIDTH = 100;
export const DEFAULT_MATRIX_NOTE = `MATRIX defaults to ${MATRIX.defaultText}.`;
export const EXIT_CODES = 'Exit codes: 0 ok, 1 stale file, lint findings or failed build, 2 bad input or usage.';

// Defined by the bundle, the shipped bin (scripts/bundle-cli.mjs, esbuild `define`), so that it
// reads no file for it; undefined where the sources run (vitest, tsc builds).
declare const MATRIXBAKE_VERSION: string | undefined;

let version: string | undefined;

/** package.json's version: the bundle's constant, or read when asked (help, --version), so other commands start no slower. */
export function matrixbakeVersion(): string {
  if (typeof MATRIXBAKE_VERSION === 'string') return MATRIXBAKE_VERSION;
  // Found upward from this module: src/cli/ under vitest, dist-tsc/cli/ of a tsc build.
  for (let dir = import.meta.dirname; version === undefined; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'matrixbake' && typeof pkg.version === 'string') version = pkg.version;
    }
    if (dirname(dir) === dir && version === undefined) throw new Error(`no package.json of matrixbake above ${import.meta.dirname}`);
  }
  return version;
}

/** How the help writes a flag: `-o, --output FILE`. */
export const flagLabel = (name: string, f: FlagSpec) => `${f.short === undefined ? '' : `-${f.short}, `}--${name}${f.value === undefined ? '' : ` ${f.value}`}`;

/** The Options section's rows: each flag, then what `--` passes on. */
const optionRows = (c: CommandSpec): [string, string][] => [
  ...Object.entries(c.flags).map(([name, f]): [string, string] => [flagLabel(name, f), f.help]),
  ...(c.passthrough ? [[`-- ${c.passthrough.name}`, c.passthrough.help] as [string, string]] : []),
];

/** `matrixbake --help`: the usage overview, one line per command, a few examples. */
export function globalHelp(): string {
  const entries = Object.entries(COMMANDS) as [CommandName, CommandSpec][];
  const pad = Math.max(...entries.map(([name]) => name.length));
  const usage = entries.flatMap(([name, c]) => c.usage.map((u) => wrapUsage(`matrixbake ${name.padEnd(pad)} ${u}`, ' '.repeat(pad + 14), '  ')));
  const summaries = entries.map(([name, c]) => `  ${name.padEnd(pad + 2)}${c.summary}`);
  const examples = entries.filter(([, c]) => c.featured !== false).map(([, c]) => `  ${c.examples[0]!.run}`);
  return [
    `matrixbake ${matrixbakeVersion()}: compile a container build matrix (TOML) into a docker buildx bake file`,
    '',
    'Usage:',
    ...usage,
    `  matrixbake ${'help'.padEnd(pad)} CMD`,
    '',
    DEFAULT_MATRIX_NOTE,
    '',
    'Commands:',
    ...summaries,
    '',
    'Examples:',
    ...examples,
    '',
    "`matrixbake help CMD` (or `matrixbake CMD --help`) shows a command's options and more examples.",
    EXIT_CODES,
    '',
  ].join('\n');
}

/** `matrixbake help CMD`, `matrixbake CMD --help`: its usage, what it does, its options, examples. */
export function commandHelp(name: string): string {
  if (!isCommand(name)) throw unknownCommand(name);
  const c: CommandSpec = COMMANDS[name];
  const usage = c.usage.map((u, i) => wrapUsage(`matrixbake ${name} ${u}`, ' '.repeat(name.length + 19), i === 0 ? 'Usage: ' : '       '));
  const rows = optionRows(c);
  const flagWidth = Math.max(0, ...rows.map(([flag]) => flag.length));
  const options = rows.map(([flag, what]) => wrap(`${flag.padEnd(flagWidth + 2)}${what}`, ' '.repeat(flagWidth + 4), '  '));
  const examples = c.examples.flatMap((e) => [...(e.why ? [`  # ${e.why}`] : []), `  ${e.run}`]);
  return [
    ...usage,
    '',
    ...c.description.flatMap((p, i) => [...(i > 0 ? [''] : []), wrap(p)]),
    ...('matrix' in c.positionals ? ['', DEFAULT_MATRIX_NOTE] : []),
    ...(options.length > 0 ? ['', 'Options:', ...options] : []),
    '',
    c.examples.length === 1 ? 'Example:' : 'Examples:',
    ...examples,
    '',
    EXIT_CODES,
    '',
  ].join('\n');
}

/** Greedy word wrap at WIDTH: `first` starts the first line, `rest` the others. */
function wrap(text: string, rest = '', first = ''): string {
  return fill(text.split(' '), rest, first);
}

/** A usage line breaks between options, never inside one's brackets. */
function wrapUsage(text: string, rest: string, first: string): string {
  return fill(text.trimEnd().split(/ (?![^[]*\])/), rest, first);
}

function fill([head = '', ...words]: string[], rest: string, first: string): string {
  const lines: string[] = [];
  let line = first + head;
  for (const word of words) {
    if (line.length + 1 + word.length > WIDTH && line.trim() !== '') {
      lines.push(line);
      line = rest + word;
    } else line += ` ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}
