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

export interface TeeOptions {
  /** Put before each line that reaches the terminal: builds running at once stay apart. */
  prefix?: string;
  /** Turns each line of stderr into what the terminal shows (buildx's rawjson drawn as plain text). */
  render?: { line(text: string): string };
  /** Sees each line of stderr as the process wrote it, while it runs. */
  watch?: (line: string) => void;
}

/**
 * Runs with the terminal attached (buildx progress streams to the user), keeping stderr too, so
 * the progress can be read and a failure explained after the fact. `stderr` is what the terminal
 * showed; `raw` what the process wrote.
 */
export async function runTee(
  cmd: Command,
  env: Record<string, string>,
  cwd: string,
  o: TeeOptions = {},
): Promise<{ exitCode: number; stderr: string; raw: string }> {
  if (o.prefix === undefined && o.render === undefined && o.watch === undefined) {
    const r = await execa(cmd.file, cmd.args, { stdin: 'inherit', stdout: 'inherit', stderr: ['pipe', 'inherit'], env, cwd, reject: false });
    return { exitCode: r.exitCode ?? 1, stderr: String(r.stderr ?? ''), raw: String(r.stderr ?? '') };
  }
  const child = execa(cmd.file, cmd.args, { stdin: 'ignore', stdout: 'inherit', stderr: 'pipe', env, cwd, reject: false, maxBuffer: 1 << 30 });
  let partial = '';
  let shown = '';
  const show = (line: string) => {
    o.watch?.(line);
    const text = o.render ? o.render.line(line) : `${line}\n`;
    if (text === '') return;
    shown += text;
    process.stderr.write(
      o.prefix
        ? text
            .split('\n')
            .slice(0, -1)
            .map((l) => `${o.prefix}${l}\n`)
            .join('')
        : text,
    );
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    lines.forEach(show);
  });
  const r = await child;
  if (partial) show(partial);
  return { exitCode: r.exitCode ?? 1, stderr: shown, raw: String(r.stderr ?? '') };
}

/** Runs and captures output. */
export async function runCapture(cmd: Command, env: Record<string, string> = {}, cwd?: string) {
  const r = await execa(cmd.file, cmd.args, { env, ...(cwd ? { cwd } : {}), reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
