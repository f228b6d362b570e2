import type { Diagnostic } from './diagnostics.js';

// The closed set of failures the CLI maps to exit codes (src/cli/exit.ts).

/** Bad input or usage: exit 2. */
export class InputError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'InputError';
  }
}

/** A command line that asks for something that does not exist (unknown command, flag, group): exit 2. */
export class UsageError extends Error {
  /** The command whose help the message points to (`matrixbake help <command>`); else the global help. */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A check that found something (stale output, lint findings): exit 1. */
export class CheckFailed extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CheckFailed';
  }
}

/** The build tool ran and failed (its exit code is passed on), or could not be run (exit 1). */
export class BuildFailed extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'BuildFailed';
  }
}

/** The output could not be written (read-only, disk full, a file where a directory should be): exit 2. */
export class OutputError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(`cannot write ${file}: ${reason} (nothing was written)${hint ? ` (hint: ${hint})` : ''}`);
    this.name = 'OutputError';
  }
}
