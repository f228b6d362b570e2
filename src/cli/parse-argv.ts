import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import type { ArgsSpec, Options } from './spec.js';

// A command line read with one command's table: node:util parseArgs, strict, for the flags; the
// same table for what parseArgs cannot say (a flag another command reads, a value not among the
// choices, which positional is which, one too many).

export interface ParsedArgs<C extends ArgsSpec> {
  options: Options<C>;
  /** The positionals as given, before defaults. */
  args: string[];
  /** What followed `--`, for a command that passes it on. */
  extra: string[];
}

const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const satisfies ParseArgsOptionsConfig;

/** parseArgs' options for a table's flags. */
export function parseArgsOptions(flags: ArgsSpec['flags']): ParseArgsOptionsConfig {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, ...(f.short === undefined ? {} : { short: f.short }), ...(f.multiple ? { multiple: true } : {}) },
    ]),
  );
}

/** A command line's tokens, read leniently with `known` (every command's flags): which flags it names, where its command word is. */
function lenientTokens(args: string[], known: ParseArgsOptionsConfig) {
  return parseArgs({ args, options: { ...known, ...HELP_FLAG }, strict: false, allowPositionals: true, tokens: true }).tokens;
}

/** The command word, the first positional (flags may come before it), and the arguments without it. */
export function findCommand(argv: string[], known: ParseArgsOptionsConfig): { command?: string; args: string[] } {
  const word = lenientTokens(argv, known).find((t) => t.kind !== 'option');
  if (word?.kind !== 'positional') return { args: argv };
  return { command: word.value, args: [...argv.slice(0, word.index), ...argv.slice(word.index + 1)] };
}

/** A usage error, as parseArgs words it, for a flag no command takes. */
export function assertKnownFlags(args: string[], known: ParseArgsOptionsConfig): void {
  try {
    parseArgs({ args, options: { ...known, ...HELP_FLAG }, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** A command's arguments read with its table, or 'help' when they ask for its help. */
export function parseCommand<C extends ArgsSpec>(command: string, spec: C, args: string[], known: ParseArgsOptionsConfig): ParsedArgs<C> | 'help' {
  // Tokens after `--` are positionals, so `bake -- --help` passes --help on to buildx.
  const named = lenientTokens(args, known).flatMap((t) => (t.kind === 'option' ? [t.name] : []));
  if (named.includes('help')) return 'help';
  // Strict parsing alone would call another command's flag unknown; a flag parseArgs does not
  // know at all is left to it ("Unknown option '--frob'. To specify a positional...").
  const stray = named.find((f) => Object.hasOwn(known, f) && !Object.hasOwn(spec.flags, f));
  const takes = Object.keys(spec.flags).map((f) => `--${f}`);
  if (stray !== undefined) throw new UsageError(`${command} does not take --${stray}${takes.length > 0 ? ` (it takes ${takes.join(', ')})` : ''}`);
  const parsed = strictParse(args, { ...parseArgsOptions(spec.flags), ...HELP_FLAG });
  const end = parsed.tokens.find((t) => t.kind === 'option-terminator');
  const extra = spec.passthrough && end ? args.slice(end.index + 1) : [];
  const given = parsed.positionals.slice(0, parsed.positionals.length - extra.length);
  const options: Record<string, unknown> = assignPositionals(command, spec.positionals, given);
  for (const [name, f] of Object.entries(spec.flags)) {
    const value = parsed.values[name] ?? (f.type === 'boolean' ? false : f.multiple ? [] : f.default);
    if (typeof value === 'string' && f.choices && !f.choices.includes(value))
      throw new UsageError(`unknown ${f.label ?? `--${name}`} "${value}" (use ${f.choices.join(', ')})`);
    if (value !== undefined) options[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value;
  }
  // Built from the table Options<C> is computed from, its values checked above.
  return { options: options as Options<C>, args: given, extra };
}

/** Which positional each argument is (PositionalSpec.leadsIf), then the defaults. */
function assignPositionals(command: string, positionals: ArgsSpec['positionals'], given: string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let slots = Object.entries(positionals);
  let rest = given;
  const lead = slots.find(([, p]) => p.leadsIf !== undefined);
  if (lead && rest[0]?.endsWith(lead[1].leadsIf!)) {
    [out[lead[0]], rest] = [rest[0], rest.slice(1)];
    slots = slots.filter((s) => s !== lead);
  } else if (lead && slots[0] === lead) slots = slots.slice(1);
  for (const [key, p] of slots) {
    if (p.repeated) [out[key], rest] = [rest, []];
    else if (rest[0] !== undefined) [out[key], rest] = [rest[0], rest.slice(1)];
    else if (p.required) throw new UsageError(`${command} needs a ${p.name}${p.example === undefined ? '' : `, e.g. matrixbake ${command} ${p.example}`}`);
  }
  if (rest[0] !== undefined) throw new UsageError(`unexpected argument "${rest[0]}"`);
  for (const [key, p] of Object.entries(positionals))
    if (out[key] === undefined && p.default !== undefined) out[key] = typeof p.default === 'function' ? p.default() : p.default;
  return out;
}

/** node:util's parseArgs, strict, with its own message as a usage error. */
function strictParse(args: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
