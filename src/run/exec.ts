import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// The one place processes run. Always an argument array, never a shell string.

export interface Command {
  file: string;
  args: string[];
}

/** `docker buildx` when the docker CLI is there, else the buildx plugin binary run standalone. */
export async function buildxCommand(): Promise<Command | undefined> {
  const override = process.env.MATRIXBAKE_BUILDX;
  if (override) return { file: override, args: [] };
  if (await succeeds('docker', ['buildx', 'version'])) return { file: 'docker', args: ['buildx'] };
  const plugin = join(homedir(), '.docker', 'cli-plugins', 'docker-buildx');
  if (existsSync(plugin) && (await succeeds(plugin, ['version']))) return { file: plugin, args: [] };
  return undefined;
}

async function succeeds(file: string, args: string[]): Promise<boolean> {
  try {
    await execa(file, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Runs with the terminal attached (buildx progress streams to the user); resolves to the exit code. */
export async function runInherit(cmd: Command, env: Record<string, string>, cwd: string): Promise<number> {
  return (await runTee(cmd, env, cwd)).exitCode;
}

/** Like runInherit, but stderr is also kept, so a failure can be explained after the fact. */
export async function runTee(cmd: Command, env: Record<string, string>, cwd: string): Promise<{ exitCode: number; stderr: string }> {
  const r = await execa(cmd.file, cmd.args, { stdin: 'inherit', stdout: 'inherit', stderr: ['pipe', 'inherit'], env, cwd, reject: false });
  return { exitCode: r.exitCode ?? 1, stderr: String(r.stderr ?? '') };
}

/** Runs and captures output. */
export async function runCapture(cmd: Command, env: Record<string, string> = {}, cwd?: string) {
  const r = await execa(cmd.file, cmd.args, { env, ...(cwd ? { cwd } : {}), reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
