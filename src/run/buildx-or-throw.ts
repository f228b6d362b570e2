import { BuildFailed } from '../errors.js';
import { buildxCommand, runCapture, type Command } from './exec.js';
import { hintsHere } from './setup-hints.js';

/** buildx, or the one error that says how to get it. */
export async function buildxOrThrow(): Promise<Command> {
  const b = await buildxCommand();
  if (!b) throw new BuildFailed('docker buildx is not installed', hintsHere().installBuildx);
  return b;
}

/** buildx run to completion, its output kept. */
export async function buildxCapture(args: string[], env: Record<string, string>, cwd: string) {
  const b = await buildxOrThrow();
  return runCapture({ file: b.file, args: [...b.args, ...args] }, env, cwd);
}

/** The last line of what a tool wrote: its error, usually. */
export function lastLine(s: string): string {
  return s.trim().split('\n').at(-1) ?? '';
}
