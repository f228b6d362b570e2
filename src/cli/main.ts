import { ALL_FLAGS, COMMANDS, HELP, isCommand, unknownCommand, type Parsed } from './commands.js';
import { reportFailure, UsageError } from './exit.js';
import { commandHelp, globalHelp, matrixbakeVersion } from './help.js';
import { cliReference } from './markdown.js';
import { assertKnownFlags, findCommand, parseCommand } from './parse-argv.js';
import { runCommand } from './run-command.js';
import { formatDiagnostic } from '../diagnostics.js';

// Thin: the command's table (src/cli/options/) -> parse -> typed options -> one call to its
// module (cli/run-command.ts). Exit codes live in cli/exit.ts.

export interface CliIo {
  out: (s: string) => void;
  /** One line (without its newline). */
  err: (s: string) => void;
}

/** One run of the CLI: its exit code. Every failure becomes its message here (cli/exit.ts). */
export function runCli(argv: string[], io: CliIo): Promise<number> {
  return main(argv, io).catch((e: unknown) => reportFailure(e, io.err));
}

async function main(argv: string[], { out, err }: CliIo): Promise<number> {
  // `--version` alone prints ours; `release --version V` names the release.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return (out(`${matrixbakeVersion()}\n`), 0);
  const { command, args } = findCommand(argv, ALL_FLAGS);
  // Flags without a command are ignored, as long as some command takes them.
  if (command === undefined) return (assertKnownFlags(args, ALL_FLAGS), out(globalHelp()), 0);
  if (command === 'help') return (out(helpText(args)), 0);
  if (!isCommand(command)) throw unknownCommand(command);
  try {
    const parsed = parseCommand(command, COMMANDS[command], args, ALL_FLAGS);
    if (parsed === 'help') return (out(commandHelp(command)), 0);
    // parseCommand read `command`'s own table, so its options are that command's.
    return await runCommand({ command, ...parsed } as Parsed, { out, err, warn: (d) => err(formatDiagnostic(d)) });
  } catch (e) {
    // A usage error inside a command points to that command's help.
    throw e instanceof UsageError && e.command === undefined ? new UsageError(e.message, command) : e;
  }
}

/** `matrixbake help [CMD] [--markdown]`. Its usage errors point to the global help, which `help help` is. */
function helpText(args: string[]): string {
  const help = parseCommand('help', HELP, args, ALL_FLAGS);
  if (help === 'help') return globalHelp();
  const { command, markdown } = help.options;
  if (markdown) return cliReference();
  return command === undefined || command === 'help' ? globalHelp() : commandHelp(command);
}
