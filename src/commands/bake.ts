import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { emit } from '../compile.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed } from '../errors.js';
import { buildxCommand, runTee, shellQuote, type Command } from '../run/exec.js';
import { builtTargets, failedTargets, formatTable } from '../run/summary.js';
import { writeAtomic } from '../write/write-atomic.js';
import { compileOrThrow } from './compile-or-throw.js';

export interface BakeOptions {
  matrix: string;
  targets: string[];
  dryRun: boolean;
  push: boolean;
  /** buildx `--set` overrides, passed through. */
  set: string[];
  /** Bake variable overrides (VERSION=..., PUSH_CACHE=true), given to buildx as its environment. */
  vars: Record<string, string>;
  /** Extra buildx arguments after `--`. */
  extra: string[];
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
}

/** Compiles to a content-addressed temp file and runs `docker buildx bake` on it. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  const hcl = emit(compiled, 'hcl');
  const file = join(tmpdir(), `matrixbake-${createHash('sha256').update(hcl).digest('hex').slice(0, 16)}.hcl`);
  await writeAtomic(file, hcl);
  const options = ['-f', file, ...o.set.flatMap((s) => ['--set', s]), ...(o.push ? ['--push'] : []), ...o.extra];
  const targets = o.targets.length > 0 ? o.targets : ['default'];
  const bakeArgs = ['bake', ...options, ...targets];
  const cwd = repoRoot(o.matrix);
  const env = Object.entries(o.vars).map(([k, v]) => `${k}=${v}`);
  if (o.dryRun) {
    o.print(`cd ${shellQuote([cwd])} && ${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(['docker', 'buildx', ...bakeArgs])}`);
    return;
  }
  const buildx = await buildxCommand();
  if (!buildx) throw new BuildFailed('docker buildx is not installed', 'run `make setup` (scripts/install-toolchain.sh) to install the pinned buildx');
  // Our own metadata file, unless the user asked for one: it is where the summary comes from.
  const userMetadata = o.extra.find((a, i) => a.startsWith('--metadata-file=') || o.extra[i - 1] === '--metadata-file');
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const metadata = userMetadata ? undefined : join(dir, 'metadata.json');
  try {
    const cmd: Command = { file: buildx.file, args: [...buildx.args, 'bake', ...options, ...(metadata ? ['--metadata-file', metadata] : []), ...targets] };
    const { exitCode, stderr } = await runTee(cmd, o.vars, cwd);
    if (exitCode !== 0) {
      const failed = failedTargets(stderr);
      throw new BuildFailed(failed.length > 0 ? `build failed in target${failed.length > 1 ? 's' : ''} ${failed.join(', ')} (docker buildx bake exited with ${exitCode})` : `docker buildx bake exited with ${exitCode}`, undefined, exitCode);
    }
    if (metadata && existsSync(metadata)) o.print(formatTable(builtTargets(compiled.plan, JSON.parse(readFileSync(metadata, 'utf8')))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Bake resolves `context = "."` against its working directory: the repo holding the matrix. */
export function repoRoot(matrix: string): string {
  let dir = dirname(resolve(matrix));
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
