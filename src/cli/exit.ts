import { formatDiagnostic } from '../diagnostics.js';
import { BuildFailed, CheckFailed, InputError, OutputError, UsageError } from '../errors.js';

export { UsageError };

/** The one place failures become messages and exit codes: 2 bad input/usage, 1 check/build, 70 bug. */
export function reportFailure(e: unknown, stderr: (s: string) => void): number {
  if (e instanceof InputError) {
    for (const d of e.diagnostics) stderr(formatDiagnostic(d));
    return 2;
  }
  if (e instanceof UsageError) {
    stderr(`matrixbake: ${e.message} (see matrixbake ${e.command === undefined ? '--help' : `help ${e.command}`})`);
    return 2;
  }
  if (e instanceof CheckFailed) {
    stderr(`matrixbake: ${e.message}`);
    for (const d of e.details) stderr(d);
    return 1;
  }
  if (e instanceof BuildFailed) {
    stderr(`matrixbake: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`);
    return e.exitCode;
  }
  if (e instanceof OutputError) {
    stderr(`matrixbake: ${e.message}`);
    return 2;
  }
  const err = e as Error | undefined;
  stderr(`matrixbake: internal error: ${err?.stack ?? String(e)}`);
  stderr('This is a bug in matrixbake: please report it with the command and matrix that caused it.');
  return 70;
}
