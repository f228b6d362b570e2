import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import { platformFilter, withoutMetadataFlag } from '../run/bake-args.js';
import { writeBakeFile } from './write-bake-file.js';
import { resolveBake } from '../bake/resolve.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { runCapture, runTee } from '../run/exec.js';
import { buildxOrThrow } from '../run/buildx-or-throw.js';
import { daemonLost, explainBuildxError } from '../run/buildx-errors.js';
import { buildRecords, buildRef, replayedProgress } from '../run/history.js';
import { linkClosure } from '../plan/closure.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { checkSets, checkTargets, checkVars } from '../run/check-request.js';
import { BUILD_EPOCH, linkSets, nodeMerges, planLevels, type LevelOptions, type NodeMerge } from '../run/levels.js';
import { chooseBakePath } from '../run/bake-path.js';
import { inParallel } from '../run/in-parallel.js';
import { progressVertices, targetProgress, type TargetProgress } from '../run/progress.js';
import { progressRenderer } from '../run/progress-render.js';
import { bakeReport, failedTargets, finishedTargets, formatJson, formatTable, someOf, type BakeReport, type MergedImage } from '../run/summary.js';
import { digestOf } from '../run/imagetools.js';
import { headSha, withBranch } from '../release/version.js';
import { repoRoot } from '../load/repo-root.js';
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
  /** One bake per target in dependency levels, linked through pushed images (src/run/levels.ts): the default with a cache registry. */
  levels?: boolean;
  /** One bake of every target, linked by `target:` contexts. */
  oneBake?: boolean;
  /** The summary as JSON on stdout instead of a table. */
  json?: boolean;
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
  /** Progress notes and warnings (stderr), kept off stdout so --json stays one document. */
  note: (line: string) => void;
}

/** One `docker buildx bake`: its targets, and its `--set`s once its links are pinned. */
interface Run {
  level: number;
  targets: string[];
  sets: (digestOf: (target: string) => string | undefined) => string[];
  /** The targets that push a link image: their digests, from the metadata, pin later levels. */
  links: string[];
}

interface Ran {
  run: Run;
  exitCode: number;
  /** What the terminal showed (plain progress), and what buildx wrote (rawjson, when matrixbake asked for it). */
  stderr: string;
  raw: string;
  metadata: Record<string, Record<string, unknown>>;
}

/** Compiles to a content-addressed temp file and runs `docker buildx bake` on it. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  checkSets(o.set);
  checkVars(compiled, o.vars);
  checkTargets(compiled, o.targets);
  const file = await writeBakeFile(compiled);
  const { extra, metadataFile: userMetadata } = withoutMetadataFlag(o.extra);
  const targets = o.targets.length > 0 ? o.targets : ['default'];
  const cwd = repoRoot(o.matrix);
  const cacheRegistry = o.vars.CACHE_REGISTRY ?? compiled.plan.matrix.cache?.registry;
  const path = chooseBakePath({ ...o, cacheRegistry: cacheRegistry || undefined });
  // With levels a platform is chosen by building that arch's twins; a --set would rename them all.
  const { archs, rest: userSets } = path.kind === 'levels' ? platformFilter(o.set, compiled.plan.matrix.arch?.values.map((v) => v.value) ?? []) : { rest: o.set };
  const options = ['-f', file, ...userSets.flatMap((s) => ['--set', s]), ...(o.push && path.kind !== 'levels' ? ['--push'] : []), ...extra];
  const vars = await withBranch(o.vars, cwd);
  const sha = vars.GIT_SHA || (await headSha(cwd, 12)) || '';
  const lo: LevelOptions = { repo: cacheRegistry ?? '', tag: /^[0-9a-f]+$/.test(sha) ? sha.slice(0, 12) : 'local', sourceDateEpoch: /^\d+$/.test(vars.SOURCE_DATE_EPOCH ?? '') ? vars.SOURCE_DATE_EPOCH! : BUILD_EPOCH, ...(archs ? { archs } : {}), ...(o.push ? { publish: true } : {}) };
  const merges = path.kind === 'levels' && o.push ? nodeMerges(compiled.plan, targets, archs) : [];
  const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  // rawjson, drawn as plain text here (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !extra.some((a) => /^--progress(=|$)/.test(a));
  const argsOf = (run: Run, sets: string[], metadata?: string) => ['bake', ...options, ...(ownProgress && metadata ? ['--progress=rawjson'] : []), ...sets.flatMap((s) => ['--set', s]), ...(metadata ? ['--metadata-file', metadata] : []), ...run.targets];

  if (path.kind === 'passthrough') {
    // `-- --print` and the like: buildx's answer is the output; a build summary would say nothing.
    if (o.dryRun) return o.print(`cd ${shellQuote([cwd])} && ${shellQuote(['docker', 'buildx', ...argsOf({ level: -1, targets, sets: () => [], links: [] }, [], userMetadata)])}`);
    const buildx = await buildxOrThrow();
    const { exitCode } = await runTee({ file: buildx.file, args: [...buildx.args, ...argsOf({ level: -1, targets, sets: () => [], links: [] }, [], userMetadata)] }, vars, cwd);
    if (exitCode !== 0) throw new BuildFailed(`docker buildx bake exited with ${exitCode}`, undefined, exitCode);
    return;
  }
  const runs = path.kind === 'levels' ? await levelRuns(compiled, targets, lo) : [{ level: -1, targets, sets: () => [], links: [] }];
  const levelCount = new Set(runs.map((r) => r.level)).size;
  o.note(path.kind === 'levels'
    ? `matrixbake: levels: ${runs.flatMap((r) => r.targets).length} per-arch targets in ${levelCount} levels, one bake per level, linked by digest through ${cacheRegistry}:link-*, so a fresh builder restores every step from the registry cache (--one-bake: one bake)`
    : `matrixbake: one bake: ${path.why}`);
  const resolved = merges.length > 0 ? resolveBake(compiled.bake, vars) : undefined;
  const mergeArgs = (m: NodeMerge, digestOf: (t: string) => string) => [
    'imagetools', 'create',
    ...[`org.opencontainers.image.revision=${vars.GIT_SHA ?? sha}`, `org.opencontainers.image.version=${vars.VERSION ?? 'latest'}`, `org.opencontainers.image.description=${compiled.plan.targets.find((t) => t.name === m.node)!.description}`].flatMap((a) => ['--annotation', `index:${a}`]),
    ...((resolved?.target[m.node]?.tags as string[] | undefined) ?? []).flatMap((t) => ['-t', t]),
    ...m.twins.map((t) => `${lo.repo}@${digestOf(t)}`),
  ];
  if (o.dryRun) {
    for (const run of runs) {
      const sets = run.sets((t) => `<digest-of-${t}>`);
      o.print(`cd ${shellQuote([cwd])} && ${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(['docker', 'buildx', ...argsOf(run, sets)])}`);
    }
    for (const m of merges) o.print(shellQuote(['docker', 'buildx', ...mergeArgs(m, (t) => `<digest-of-${t}>`)]));
    return;
  }
  const buildx = await buildxOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const metadata: Record<string, Record<string, unknown>> = {};
  const progress = new Map<string, TargetProgress>();
  const digests = new Map<string, string>();
  const planned = [...new Set(runs.flatMap((r) => [...targetsOf(compiled, r)]))];
  const bake = async (run: Run, tag: string): Promise<Ran> => {
    const file = join(dir, `metadata-${tag}.json`);
    const args = argsOf(run, run.sets((t) => digests.get(t)), file);
    const tee = () => runTee({ file: buildx.file, args: [...buildx.args, ...args] }, vars, cwd, ownProgress ? { render: progressRenderer() } : {});
    const r = await retryTransientPush(tee, (l) => process.stderr.write(`${l}\n`));
    const meta = r.exitCode === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>) : {};
    return { run, ...r, metadata: meta };
  };
  const take = (ran: Ran) => {
    Object.assign(metadata, ran.metadata);
    for (const [t, p] of targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, ran.run)])) progress.set(t, p);
    for (const name of ran.run.links) {
      const digest = ran.metadata[name]?.['containerimage.digest'];
      if (typeof digest === 'string') digests.set(name, digest);
    }
  };
  const report = async (failure?: { finished: Set<string>; failed: string[]; daemonLost: boolean }) => {
    // The live stream names each step once, after the target that asked for it first. In one bake
    // a target asks for every step of what it links (`target:`), so a target's own steps may show
    // under another's name: its record, replayed, says (about 1 s per 20 targets). In levels a
    // target's own steps are its own; only one that shows none is replayed.
    const replay = Object.entries(metadata).filter(([t, meta]) => buildRef(meta) && (path.kind !== 'levels' || (progress.get(t)?.instructions ?? 0) === 0));
    await inParallel(replay, 4, async ([t, meta]) => {
      const text = await replayedProgress(buildx, buildRef(meta)!.ref, vars, cwd);
      if (text) progress.set(t, targetProgress(progressVertices(text), [t]).get(t)!);
    });
    return bakeReport(compiled.plan, { targets: planned, metadata, records: await buildRecords(buildx, metadata, vars, cwd), progress, ...failure });
  };
  const print = (r: BakeReport) => {
    if (userMetadata) writeFileSync(userMetadata, `${JSON.stringify(metadata, null, 2)}\n`);
    o.print(o.json ? formatJson(r) : formatTable(r));
    if (r.cacheNotSaved.length > 0) {
      const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
      o.note(`matrixbake: warning: registry cache not saved for ${names.length} of ${r.targets.length} targets (${someOf(names)}): ${r.cacheNotSaved[0]!.error} (the images were built; an empty builder will rebuild these)`);
    }
  };

  /**
   * A cache export the registry refused (a reset connection, the local registry's "provided
   * digest did not match" under concurrent pushes) is tried once more: the build is all in
   * BuildKit's cache, so the rerun costs the export alone. What still fails is reported.
   */
  const reexport = async (r: BakeReport): Promise<BakeReport> => {
    const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
    o.note(`matrixbake: the registry refused the cache of ${someOf(names)} (${r.cacheNotSaved[0]!.error}); exporting it once more`);
    const again = path.kind === 'levels' ? runs.map((run) => ({ ...run, targets: run.targets.filter((n) => names.includes(n)) })).filter((run) => run.targets.length > 0) : [{ ...runs[0]!, targets: names }];
    const still = new Set<string>();
    for (const [i, run] of again.entries()) {
      const ran = await bake(run, `reexport-${i}`);
      const p = targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, run)]);
      for (const n of names) if (targetsOf(compiled, run).has(n) && (ran.exitCode !== 0 || (p.get(n)?.cacheErrors.length ?? 0) > 0)) still.add(n);
    }
    return { ...r, cacheNotSaved: r.cacheNotSaved.filter((c) => still.has(c.target)) };
  };

  try {
    for (const [i, run] of runs.entries()) {
      if (run.level >= 0) o.note(`level ${run.level}: ${run.targets.join(' ')}`);
      const ran = await bake(run, String(i));
      take(ran);
      if (ran.exitCode !== 0) await fail(ran);
    }
    // The published nodes asked for, as manifest lists of their twins' images (`--push`).
    const merged: MergedImage[] = [];
    for (const m of merges) {
      const tags = (resolved?.target[m.node]?.tags as string[] | undefined) ?? [];
      const r = await runCapture({ file: buildx.file, args: [...buildx.args, ...mergeArgs(m, (t) => digests.get(t)!)] }, vars, cwd);
      const digest = r.exitCode === 0 && tags[0] ? await digestOf(buildx, tags[0], cwd) : undefined;
      if (!digest) throw new BuildFailed(`${m.node}: imagetools create failed: ${r.stderr.trim().split('\n').at(-1) ?? `no manifest list at ${tags[0]}`}`);
      merged.push({ node: m.node, tags, digest });
    }
    const r = { path: path.kind, ...(await report()), ...(merged.length > 0 ? { merged } : {}) };
    print(r.cacheNotSaved.length > 0 ? await reexport(r) : r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  async function fail({ run, stderr, exitCode }: Ran): Promise<never> {
    const lost = daemonLost(stderr);
    const explained = lost ? undefined : explainBuildxError(stderr);
    if (explained) throw new BuildFailed(explained.message, explained.hint, exitCode);
    const named = lost ? [] : failedTargets(stderr);
    const failedNames = named.length === 0 && !lost && run.targets.length === 1 ? run.targets : named;
    const finished = finishedTargets(stderr, [...targetsOf(compiled, run)]);
    print(await report({ finished, failed: failedNames, daemonLost: !!lost }));
    const unfinished = planned.filter((t) => !metadata[t] && !finished.has(t) && !failedNames.includes(t)).sort();
    const where = run.level >= 0 ? ` (level ${run.level})` : '';
    if (lost) {
      throw new BuildFailed(`buildkitd went away during the bake${where} (${lost}): ${unfinished.length} of ${planned.length} targets interrupted (${someOf(unfinished)})`, 'start it again (this repository: `bash scripts/services.sh up`) and run the same command: the steps that finished are in its cache', exitCode);
    }
    throw new BuildFailed(failedNames.length > 0 ? `build failed in target${failedNames.length > 1 ? 's' : ''} ${failedNames.join(', ')}${where} (docker buildx bake exited with ${exitCode})` : `docker buildx bake exited with ${exitCode}${where}`, undefined, exitCode);
  }
}

/** The targets one run builds: its groups expanded and, in one bake, everything they link. */
function targetsOf(compiled: Compiled, run: Run): Set<string> {
  const names = run.targets.flatMap((n) => compiled.plan.groups.find((g) => g.name === n)?.targets ?? [n]);
  return run.level >= 0 ? new Set(names) : linkClosure(compiled.plan, names.filter((n) => compiled.plan.targets.some((t) => t.name === n)));
}

/** The levelled runs: link images in the cache registry, tagged with the commit, pinned by digest. */
async function levelRuns(compiled: Compiled, targets: string[], lo: LevelOptions): Promise<Run[]> {
  try {
    const runs: Run[] = planLevels(compiled.plan, targets, lo).map((r) => ({ level: r.level, targets: [r.targets[0]], links: r.pushesLink ? [r.targets[0]] : [], sets: (digestOf) => [...r.set, ...linkSets(r, lo, digestOf)] }));
    // One bake per level: its targets build at once, each with its own cache refs and pinned links.
    // Measured on the demo (docs/caching.md): a fresh builder restores all 40 per-arch targets, as
    // with one bake per target, and a level costs one buildx start instead of one per target.
    return [...new Set(runs.map((r) => r.level))].map((level) => {
      const of = runs.filter((r) => r.level === level);
      return { level, targets: of.flatMap((r) => r.targets), links: of.flatMap((r) => r.links), sets: (d) => of.flatMap((r) => r.sets(d)) };
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
