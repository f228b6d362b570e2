import type { ParseArgsOptionsConfig } from 'node:util';
import { didYouMean } from '../diagnostics.js';
import { UsageError } from '../errors.js';
import { bake } from './options/bake.js';
import { check } from './options/check.js';
import { ci } from './options/ci.js';
import { compile } from './options/compile.js';
import { explain } from './options/explain.js';
import { graph } from './options/graph.js';
import { lint } from './options/lint.js';
import { list } from './options/list.js';
import { promote } from './options/promote.js';
import { release } from './options/release.js';
import { schema } from './options/schema.js';
import { version } from './options/version.js';
import type { ParsedArgs } from './parse-argv.js';
import { parseArgsOptions } from './parse-argv.js';
import type { ArgsSpec, CommandSpec } from './spec.js';

// Every command's table, in the order the global help lists them. Each example runs as written
// from the repository root (test/unit/cli/cli.test.ts runs each one, with --dry-run where the command has it).

export const COMMANDS = { compile, list, lint, check, graph, explain, ci, bake, release, promote, version, schema } satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** A parsed command line of one command: its name, its typed options, its arguments. */
export type Parsed = { [C in CommandName]: ParsedArgs<(typeof COMMANDS)[C]> & { command: C } }[CommandName];

/** `matrixbake help [CMD] [--markdown]`: outside COMMANDS, since `help help` is the global help. */
export const HELP = {
  positionals: { command: { name: 'CMD', help: 'the command whose help to print' } },
  flags: { markdown: { type: 'boolean', help: 'print the reference of every command as markdown (docs/cli.md)' } },
} as const satisfies ArgsSpec;

/** Every flag of every command (the same name means the same flag everywhere; a test checks it). */
export const ALL_FLAGS: ParseArgsOptionsConfig = Object.assign({}, ...[...Object.values(COMMANDS), HELP].map((c) => parseArgsOptions(c.flags)));

export const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

export const unknownCommand = (name: string) => new UsageError(`unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))}`);
