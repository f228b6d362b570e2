import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { emit, type Compiled } from '../compile.js';
import { resolveBake } from '../bake/resolve.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { buildxCommand, runCapture, runTee, type Command } from '../run/exec.js';
import { daemonLost, explainBuildxError } from '../run/buildx-errors.js';
import { buildSteps } from '../run/history.js';
import { linkClosure } from '../plan/closure.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { checkSets, checkTargets, checkVars } from '../run/check-request.js';
import { planLevels, type LevelRun } from '../run/levels.js';
import { bakeReport, failedTargets, finishedTargets, formatJson, formatTable, someOf, type BakeReport } from '../run/summary.js';
import { cacheExportErrors } from '../run/rawjson.js';
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
  /** The summary as JSON on stdout instead of a table. */
  json?: boolean;
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
  /** Progress notes and warnings (stderr), kept off stdout so --json stays one document. */
  note: (line: string) => void;
}

/** Compiles to a content-addressed temp file and runs `docker buildx bake` on it. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  checkSets(o.set);
  checkVars(compiled, o.vars);
  checkTargets(compiled, o.targets);
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
  // A metadata file per run (the user's, when given): it holds each target's image, digest and
  // build ref, from which the summary reads the steps.
  const userMetadata = metadataFlag(o.extra);
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const metadata: Record<string, Record<string, unknown>> = {};
  const planned = [...new Set(runs.flatMap((r) => [...targetsOf(compiled, r)]))];
  const bakeArgs = (run: LevelRun, metadataFile?: string): Command => ({
    file: buildx.file,
    args: [...buildx.args, 'bake', ...options, ...run.set.flatMap((s) => ['--set', s]), ...(metadataFile ? ['--metadata-file', metadataFile] : []), ...run.targets],
  });
  const print = (r: BakeReport) => {
    o.print(o.json ? formatJson(r) : formatTable(r));
    if (r.cacheNotSaved.length > 0) {
      const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
      o.note(`matrixbake: warning: registry cache not saved for ${names.length} of ${r.targets.length} targets (${someOf(names)}): ${r.cacheNotSaved[0]!.error} (the images were built; an empty builder will rebuild these)`);
    }
  };
  const report = async (failure?: { finished: Set<string>; failed: string[]; daemonLost: boolean }) => bakeReport(compiled.plan, { targets: planned, metadata, steps: await buildSteps(buildx, metadata, o.vars, cwd), ...failure });

  /**
   * A cache export the registry refused (a reset connection, the local registry's "provided
   * digest did not match" under concurrent pushes) is tried once more: the build is all in
   * BuildKit's cache, so the rerun costs the export alone. What still fails is reported.
   */
  const reexport = async (r: BakeReport): Promise<BakeReport> => {
    const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
    o.note(`matrixbake: the registry refused the cache of ${someOf(names)} (${r.cacheNotSaved[0]!.error}); exporting it once more`);
    const again = runs.some((run) => run.level >= 0) ? runs.filter((run) => names.includes(run.targets[0]!)) : [{ level: -1, targets: names, set: [] }];
    const retried: Record<string, Record<string, unknown>> = {};
    for (const run of again) {
      const file = join(dir, `reexport-${run.level}.json`);
      const { exitCode } = await runTee(bakeArgs(run, file), o.vars, cwd);
      if (exitCode === 0 && existsSync(file)) Object.assign(retried, JSON.parse(readFileSync(file, 'utf8')));
    }
    const steps = await buildSteps(buildx, Object.fromEntries(names.filter((n) => retried[n]).map((n) => [n, retried[n]!])), o.vars, cwd);
    const still = r.cacheNotSaved.filter((c) => {
      const s = steps.get(c.target);
      return !s?.ok || cacheExportErrors(s.steps).length > 0;
    });
    return { ...r, cacheNotSaved: still };
  };

  try {
    for (const run of runs) {
      if (run.level >= 0) o.note(`level ${run.level}: ${run.targets.join(' ')}`);
      const file = userMetadata ?? join(dir, `metadata-${run.level}.json`);
      const { exitCode, stderr } = await retryTransientPush(() => runTee(bakeArgs(run, userMetadata ? undefined : file), o.vars, cwd), (l) => process.stderr.write(`${l}\n`));
      if (exitCode !== 0) {
        const lost = daemonLost(stderr);
        const explained = lost ? undefined : explainBuildxError(stderr);
        if (explained) throw new BuildFailed(explained.message, explained.hint, exitCode);
        const failed = lost ? [] : failedTargets(stderr);
        const finished = finishedTargets(stderr, [...targetsOf(compiled, run)]);
        print(await report({ finished, failed, daemonLost: !!lost }));
        const unfinished = planned.filter((t) => !metadata[t] && !finished.has(t) && !failed.includes(t)).sort();
        const where = run.level >= 0 ? ` (level ${run.level})` : '';
        if (lost) {
          throw new BuildFailed(`buildkitd went away during the bake${where} (${lost}): ${unfinished.length} of ${planned.length} targets interrupted (${someOf(unfinished)})`, 'start it again (`bash scripts/services.sh up`) and run the same command: the steps that finished are in its cache', exitCode);
        }
        throw new BuildFailed(failed.length > 0 ? `build failed in target${failed.length > 1 ? 's' : ''} ${failed.join(', ')}${where} (docker buildx bake exited with ${exitCode})` : `docker buildx bake exited with ${exitCode}${where}`, undefined, exitCode);
      }
      if (existsSync(file)) Object.assign(metadata, JSON.parse(readFileSync(file, 'utf8')));
    }
    const r = await report();
    print(r.cacheNotSaved.length > 0 ? await reexport(r) : r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The targets one run builds: its groups expanded and, in one bake, everything they link. */
function targetsOf(compiled: Compiled, run: LevelRun): Set<string> {
  const names = run.targets.flatMap((n) => compiled.plan.groups.find((g) => g.name === n)?.targets ?? [n]);
  return run.level >= 0 ? new Set(names) : linkClosure(compiled.plan, names.filter((n) => compiled.plan.targets.some((t) => t.name === n)));
}

/** `--metadata-file F` or `--metadata-file=F` among buildx's own arguments. */
function metadataFlag(extra: string[]): string | undefined {
  for (let i = 0; i < extra.length; i++) {
    if (extra[i] === '--metadata-file') return extra[i + 1];
    if (extra[i]!.startsWith('--metadata-file=')) return extra[i]!.slice('--metadata-file='.length);
  }
  return undefined;
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
