import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { emit, type Compiled } from '../compile.js';
import { resolveBake } from '../bake/resolve.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { buildxCommand, runCapture, runTee, type Command } from '../run/exec.js';
import { explainBuildxError } from '../run/buildx-errors.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { planLevels, type LevelRun } from '../run/levels.js';
import { builtTargets, failedTargets, formatTable } from '../run/summary.js';
import { repoRoot } from '../load/repo-root.js';
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
  /** One bake per dependency level, linked through pushed images (src/run/levels.ts). */
  levels?: boolean;
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
}

/** Compiles to a content-addressed temp file and runs `docker buildx bake` on it. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  const file = await writeBakeFile(compiled);
  const options = ['-f', file, ...o.set.flatMap((s) => ['--set', s]), ...(o.push ? ['--push'] : []), ...o.extra];
  const targets = o.targets.length > 0 ? o.targets : ['default'];
  const cwd = repoRoot(o.matrix);
  const env = Object.entries(o.vars).map(([k, v]) => `${k}=${v}`);
  const runs = o.levels ? await levelRuns(compiled, targets, o, cwd) : [{ level: -1, targets, set: [] }];
  if (o.dryRun) {
    for (const run of runs) {
      const args = ['docker', 'buildx', 'bake', ...options, ...run.set.flatMap((x) => ['--set', x]), ...run.targets];
      o.print(`cd ${shellQuote([cwd])} && ${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(args)}`);
    }
    return;
  }
  const buildx = await buildxCommand();
  if (!buildx) throw new BuildFailed('docker buildx is not installed', 'run `make setup` (scripts/install-toolchain.sh) to install the pinned buildx');
  // Our own metadata file, unless the user asked for one: it is where the summary comes from.
  const userMetadata = o.extra.find((a, i) => a.startsWith('--metadata-file=') || o.extra[i - 1] === '--metadata-file');
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const built: Record<string, Record<string, unknown>> = {};
  try {
    for (const run of runs) {
      if (run.level >= 0) o.print(`level ${run.level}: ${run.targets.join(" ")}`);
      const metadata = userMetadata ? undefined : join(dir, `metadata-${run.level}.json`);
      const sets = run.set.flatMap((s) => ['--set', s]);
      const cmd: Command = { file: buildx.file, args: [...buildx.args, 'bake', ...options, ...sets, ...(metadata ? ['--metadata-file', metadata] : []), ...run.targets] };
      const { exitCode, stderr } = await retryTransientPush(() => runTee(cmd, o.vars, cwd), (l) => process.stderr.write(`${l}\n`));
      if (exitCode !== 0) {
        const explained = explainBuildxError(stderr);
        if (explained) throw new BuildFailed(explained.message, explained.hint, exitCode);
        const failed = failedTargets(stderr);
        const where = run.level >= 0 ? ` (level ${run.level})` : '';
        throw new BuildFailed(failed.length > 0 ? `build failed in target${failed.length > 1 ? 's' : ''} ${failed.join(', ')}${where} (docker buildx bake exited with ${exitCode})` : `docker buildx bake exited with ${exitCode}${where}`, undefined, exitCode);
      }
      if (metadata && existsSync(metadata)) Object.assign(built, JSON.parse(readFileSync(metadata, 'utf8')));
    }
    if (!userMetadata) o.print(formatTable(builtTargets(compiled.plan, built)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where link images go and how they are stamped: the cache registry, the commit, its time. */
async function levelRuns(compiled: Compiled, targets: string[], o: BakeOptions, cwd: string): Promise<LevelRun[]> {
  const repo = o.vars.CACHE_REGISTRY ?? compiled.plan.matrix.cache?.registry;
  if (!repo) throw new UsageError('--levels pushes link images to the cache registry: set [cache] registry in the matrix or --var CACHE_REGISTRY=<repo>');
  const git = async (args: string[]) => (await runCapture({ file: 'git', args }, {}, cwd)).stdout.trim();
  const sha = o.vars.GIT_SHA || (await git(['rev-parse', '--short=12', 'HEAD']));
  const epoch = o.vars.SOURCE_DATE_EPOCH || (await git(['log', '-1', '--format=%ct']));
  const resolved = o.push ? resolveBake(compiled.bake, o.vars) : undefined;
  const tagsOf = (n: string) => (resolved?.target[n]?.tags as string[] | undefined) ?? [];
  try {
    return planLevels(compiled.plan, targets, { repo, tag: /^[0-9a-f]+$/.test(sha) ? sha.slice(0, 12) : 'local', sourceDateEpoch: /^\d+$/.test(epoch) ? epoch : '0', tagsOf });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The compiled bake file in a content-addressed temp file: what every buildx call here reads. */
export async function writeBakeFile(compiled: Compiled): Promise<string> {
  const hcl = emit(compiled, 'hcl');
  const file = join(tmpdir(), `matrixbake-${createHash('sha256').update(hcl).digest('hex').slice(0, 16)}.hcl`);
  await writeAtomic(file, hcl);
  return file;
}
