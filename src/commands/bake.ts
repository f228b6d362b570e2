import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import { platformFilter, withoutMetadataFlag } from '../run/bake-args.js';
import { writeBakeFile } from './write-bake-file.js';
import { writeComposed } from '../write/write-composed.js';
import { resolveBake } from '../bake/resolve.js';
import { publishedTags } from '../bake/build-bake-file.js';
import { repositoryOf } from '../plan/tags.js';
import type { BakeFile, BakeTarget } from '../bake/bake-file.js';
import { list } from '../bake/expr.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { runCapture, runTee } from '../run/exec.js';
import { buildxOrThrow } from '../run/buildx-or-throw.js';
import { daemonLost, explainBuildxError } from '../run/buildx-errors.js';
import { buildRecords, buildRef, replayedProgress } from '../run/history.js';
import { bakeTargetsOf, linkClosure } from '../plan/closure.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { checkSets, checkSources, checkTargets, checkVars } from '../run/check-request.js';
import { BUILD_EPOCH, linkSets, linkTag, nodeMerges, planLevels, type LevelOptions, type NodeMerge } from '../run/levels.js';
import { chooseBakePath } from '../run/bake-path.js';
import { pushedImages } from '../run/pushed-images.js';
import { readyJobs } from '../run/ready.js';
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
  /** Its dependency level (the lowest of its targets'); -1 for one bake. */
  level: number;
  targets: string[];
  sets: (digestOf: (target: string) => string | undefined) => string[];
  /** The targets that push a link image: their digests pin the runs that read them. */
  links: string[];
  /** The link images it reads: it starts once all are pushed. */
  needs: string[];
  /** Runs of one group start together (src/run/ready.ts): its stage and level. */
  group?: string;
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
  const asked = o.targets.length > 0 ? o.targets : ['default'];
  const cwd = repoRoot(o.matrix);
  const cacheRegistry = o.vars.CACHE_REGISTRY ?? compiled.plan.matrix.cache?.registry;
  const path = chooseBakePath({ ...o, cacheRegistry: cacheRegistry || undefined });
  const picked = path.kind === 'one-bake' ? perArchOfPlatform(compiled, asked, o.set) : { targets: asked };
  if (picked.note) o.note(picked.note);
  const targets = picked.targets;
  // With levels a platform is chosen by building that arch's twins; a --set would rename them all.
  const { archs, rest: userSets } = path.kind === 'levels' ? platformFilter(o.set, compiled.plan.matrix.arch?.values.map((v) => v.value) ?? []) : { rest: o.set };
  const options = ['-f', file, ...userSets.flatMap((s) => ['--set', s]), ...(o.push && path.kind !== 'levels' ? ['--push'] : []), ...extra];
  const vars = await withBranch(o.vars, cwd);
  const sha = vars.GIT_SHA || (await headSha(cwd, 12)) || '';
  const lo: LevelOptions = { repo: cacheRegistry ?? '', tag: /^[0-9a-f]+$/.test(sha) ? sha.slice(0, 12) : 'local', sourceDateEpoch: /^\d+$/.test(vars.SOURCE_DATE_EPOCH ?? '') ? vars.SOURCE_DATE_EPOCH! : BUILD_EPOCH, ...(archs ? { archs } : {}), ...(o.push ? { publish: true } : {}) };
  // Published nodes made from their twins' images: all of them with levels, and in one bake those
  // built as their twins (per-arch args), whose twins push by digest to the node's repository.
  const merges = !o.push ? [] : path.kind === 'levels' ? nodeMerges(compiled.plan, targets, archs) : path.kind === 'one-bake' ? nodeMerges(compiled.plan, targets).filter((m) => compiled.plan.targets.find((t) => t.name === m.node)!.perArch) : [];
  const resolved = merges.length > 0 ? resolveBake(withNodeTags(compiled), vars) : undefined;
  const tagsOf = (node: string) => (resolved?.target[node]?.tags as string[] | undefined) ?? [];
  /** Where a twin's image is: the link image (levels), or its digest in the node's repository (one bake). */
  const sourceRepo = (m: NodeMerge) => (path.kind === 'levels' ? lo.repo : repositoryOf(tagsOf(m.node)[0] ?? ''));
  const twinOutputs = path.kind === 'one-bake' ? merges.flatMap((m) => m.twins.map((t) => `${t}.output=type=image,name=${sourceRepo(m)},push-by-digest=true,name-canonical=true,push=true`)) : [];
  const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  // rawjson, drawn as plain text here (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !extra.some((a) => /^--progress(=|$)/.test(a));
  const argsOf = (run: Run, sets: string[], metadata?: string) => ['bake', ...options, ...(ownProgress && metadata ? ['--progress=rawjson'] : []), ...sets.flatMap((s) => ['--set', s]), ...(metadata ? ['--metadata-file', metadata] : []), ...run.targets];

  if (path.kind === 'passthrough') {
    // `-- --print` and the like: buildx's answer is the output; a build summary would say nothing.
    const run = oneBake(targets);
    if (o.dryRun) return o.print(`cd ${shellQuote([cwd])} && ${shellQuote(['docker', 'buildx', ...argsOf(run, [], userMetadata)])}`);
    const buildx = await buildxOrThrow();
    const { exitCode } = await runTee({ file: buildx.file, args: [...buildx.args, ...argsOf(run, [], userMetadata)] }, vars, cwd);
    if (exitCode !== 0) throw new BuildFailed(`docker buildx bake exited with ${exitCode}`, undefined, exitCode);
    return;
  }
  const runs = path.kind === 'levels' ? await levelRuns(compiled, targets, lo) : [{ ...oneBake(targets), sets: () => twinOutputs }];
  const levelCount = new Set(runs.map((r) => r.level)).size;
  o.note(path.kind === 'levels'
    ? `matrixbake: levels: ${runs.length} per-arch targets in ${levelCount} levels, a stage's targets started together as soon as the images they link are pushed, linked by digest through ${cacheRegistry}:link-*, so a fresh builder restores every step from the registry cache (--one-bake: one bake)`
    : `matrixbake: one bake: ${path.why}`);
  const mergeArgs = (m: NodeMerge, digestOf: (t: string) => string) => [
    'imagetools', 'create',
    ...[`org.opencontainers.image.revision=${vars.GIT_SHA ?? sha}`, `org.opencontainers.image.version=${vars.VERSION ?? 'latest'}`, `org.opencontainers.image.description=${compiled.plan.targets.find((t) => t.name === m.node)!.description}`].flatMap((a) => ['--annotation', `index:${a}`]),
    ...tagsOf(m.node).flatMap((t) => ['-t', t]),
    ...m.twins.map((t) => `${sourceRepo(m)}@${digestOf(t)}`),
  ];
  if (o.dryRun) {
    // Level by level: at run time a target starts as soon as its links are pushed, with these sets.
    for (const run of path.kind === 'levels' ? byLevel(runs) : runs) {
      const sets = run.sets((t) => `<digest-of-${t}>`);
      o.print(`cd ${shellQuote([cwd])} && ${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(['docker', 'buildx', ...argsOf(run, sets)])}`);
    }
    for (const m of merges) o.print(shellQuote(['docker', 'buildx', ...mergeArgs(m, (t) => `<digest-of-${t}>`)]));
    return;
  }
  checkSources(compiled, runs.flatMap((r) => [...targetsOf(compiled, r)]), cwd);
  await writeComposed(compiled.plan, cwd);
  const buildx = await buildxOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const metadata: Record<string, Record<string, unknown>> = {};
  const progress = new Map<string, TargetProgress>();
  const digests = new Map<string, string>();
  const planned = [...new Set(runs.flatMap((r) => [...targetsOf(compiled, r)]))];
  const bake = async (run: Run, tag: string, tee_: { prefix?: string; watch?: (line: string) => void } = {}): Promise<Ran> => {
    const file = join(dir, `metadata-${tag}.json`);
    const args = argsOf(run, run.sets((t) => digests.get(t)), file);
    const tee = () => runTee({ file: buildx.file, args: [...buildx.args, ...args] }, vars, cwd, { ...tee_, ...(ownProgress ? { render: progressRenderer() } : {}) });
    const r = await retryTransientPush(tee, (l) => process.stderr.write(`${l}\n`));
    const meta = r.exitCode === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>) : {};
    return { run, ...r, metadata: meta };
  };
  const mismatched: string[] = [];
  const take = (ran: Ran) => {
    Object.assign(metadata, ran.metadata);
    for (const [t, p] of targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, ran.run)])) progress.set(t, p);
    for (const name of ran.run.links) {
      const digest = ran.metadata[name]?.['containerimage.digest'];
      if (typeof digest !== 'string') continue;
      const seen = digests.get(name);
      // What links it was pinned to the digest the registry reported while the bake ran.
      if (seen && seen !== digest) mismatched.push(`${name}: pushed as ${seen}, buildx's metadata says ${digest}`);
      digests.set(name, digest);
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
    // Every link is pushed by now, so one bake re-exports them all.
    const run = path.kind === 'levels' ? together(runs.filter((x) => names.includes(x.targets[0]!))) : { ...runs[0]!, targets: names };
    const ran = await bake(run, 'reexport');
    const p = targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, run)]);
    const still = new Set(names.filter((n) => ran.exitCode !== 0 || (p.get(n)?.cacheErrors.length ?? 0) > 0));
    return { ...r, cacheNotSaved: r.cacheNotSaved.filter((c) => still.has(c.target)) };
  };

  try {
    const failed = await schedule();
    if (failed) await fail(failed);
    if (mismatched.length > 0) throw new BuildFailed(`a link image changed under the targets that read it: ${mismatched.join('; ')}`, 'run the same command again: the rerun pins what buildx reports');
    // The published nodes asked for, as manifest lists of their twins' images (`--push`).
    const merged: MergedImage[] = [];
    for (const m of merges) {
      const tags = tagsOf(m.node);
      const twinDigest = (t: string) => digests.get(t) ?? (metadata[t]?.['containerimage.digest'] as string);
      const r = await runCapture({ file: buildx.file, args: [...buildx.args, ...mergeArgs(m, twinDigest)] }, vars, cwd);
      const digest = r.exitCode === 0 && tags[0] ? await digestOf(buildx, tags[0], cwd) : undefined;
      if (!digest) throw new BuildFailed(`${m.node}: imagetools create failed: ${r.stderr.trim().split('\n').at(-1) ?? `no manifest list at ${tags[0]}`}`);
      merged.push({ node: m.node, tags, digest });
    }
    const r = { path: path.kind, ...(await report()), ...(merged.length > 0 ? { merged } : {}) };
    print(r.cacheNotSaved.length > 0 ? await reexport(r) : r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  /**
   * Starts every run whose links are pushed, as one bake, and again each time a link image is
   * pushed (seen in the progress stream) or a bake ends; returns the first failed bake, once
   * every bake already started has ended. After a failure nothing new starts.
   */
  async function schedule(): Promise<Ran | undefined> {
    const byTag = new Map(runs.flatMap((r) => r.links.map((t) => [linkTag(lo, t), t] as const)));
    const started = new Set<string>();
    const running = new Set<Promise<void>>();
    let failed: Ran | undefined;
    let count = 0;
    // A push starts what it readies after a short wait, so the links a level pushes together
    // (all of them, on a warm builder) start one bake, not one each: every buildx start costs.
    // The last link still building starts it at once.
    let timer: NodeJS.Timeout | undefined;
    const soon = () => {
      if (!runs.some((r) => started.has(r.targets.join(' ')) && r.links.some((t) => !digests.has(t)))) return start();
      timer ??= setTimeout(() => {
        timer = undefined;
        start();
      }, BATCH_WAIT_MS);
    };
    const start = () => {
      if (failed) return;
      const ready = readyJobs(runs.map((r) => ({ ...r, target: r.targets.join(' ') })), started, new Set(digests.keys()));
      if (ready.length === 0) return;
      for (const r of ready) started.add(r.target);
      const run = path.kind === 'levels' ? together(ready) : ready[0]!;
      const n = ++count;
      // Bakes overlap: each line of the progress matrixbake draws says which one it comes from
      // (a progress the user chose is passed on as buildx wrote it).
      const prefix = path.kind === 'levels' && ownProgress ? `[b${n}] ` : undefined;
      if (path.kind === 'levels') o.note(`${prefix ?? ''}bake ${n}, level ${run.level}: ${run.targets.join(' ')}`);
      const watch = (line: string) => {
        for (const p of pushedImages(line)) {
          const t = byTag.get(p.name);
          if (t && !digests.has(t)) {
            digests.set(t, p.digest);
            soon();
          }
        }
      };
      const done: Promise<void> = bake(run, String(n), path.kind === 'levels' ? { ...(prefix ? { prefix } : {}), watch } : {})
        .then((ran) => {
          take(ran);
          if (ran.exitCode !== 0) failed ??= ran;
          else start();
        })
        .finally(() => running.delete(done));
      running.add(done);
    };
    start();
    while (running.size > 0) await Promise.race(running);
    clearTimeout(timer);
    const unstarted = runs.filter((r) => !started.has(r.targets.join(' ')));
    if (!failed && unstarted.length > 0) throw new BuildFailed(`no link image pushed for ${someOf(unstarted.flatMap((r) => r.needs.filter((t) => !digests.has(t))))}, so ${someOf(unstarted.flatMap((r) => r.targets))} could not start`);
    return failed;
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

/**
 * One bake builds a node whose args differ per arch as its twins (a group in the bake file). A
 * platform `--set` would reach every twin, and build the arm64 one, with its arm64 args, for
 * amd64. So such a node (asked for, or in a group asked for) becomes its twins of that platform;
 * the `--set` still narrows the other targets. The levels path picks twins the same way.
 */
function perArchOfPlatform(compiled: Compiled, targets: string[], sets: string[]): { targets: string[]; note?: string } {
  const plan = compiled.plan;
  const platform = [...sets].reverse().find((x) => /^[^.=]+\.platforms?=/.test(x));
  if (!platform || !plan.targets.some((t) => t.perArch)) return { targets };
  const { archs } = platformFilter([platform], plan.matrix.arch?.values.map((v) => v.value) ?? []);
  const perArch = (n: string) => plan.targets.find((t) => t.name === n)?.perArch !== undefined;
  const expand = (n: string): string[] => plan.groups.find((g) => g.name === n)?.targets.flatMap(expand) ?? [n];
  if (!targets.some((n) => expand(n).some(perArch))) return { targets };
  const out = [...new Set(targets.flatMap((n) => (expand(n).some(perArch) ? expand(n) : [n])).flatMap((n) => (perArch(n) ? plan.targets.filter((t) => t.node === n && t.arch !== undefined && archs!.includes(t.arch)).map((t) => t.name) : [n])))];
  const replaced = targets.flatMap(expand).filter(perArch);
  return { targets: out, note: `matrixbake: ${someOf(replaced)} ${replaced.length > 1 ? 'are' : 'is'} built as per-arch twins (args differ per arch): --set ${platform} builds ${replaced.length > 1 ? 'their' : 'its'} ${archs!.join(', ')} twin${archs!.length > 1 || replaced.length > 1 ? 's' : ''}` };
}

/** The bake file, with the tags of each published node built as its twins (a group there has none): what the merge makes. */
function withNodeTags(compiled: Compiled): BakeFile {
  const extra = compiled.plan.targets.filter((t) => t.perArch && t.tagSuffix !== undefined).map((t) => ({ name: t.name, attributes: [['tags', list(publishedTags(compiled.plan, t))]] as BakeTarget['attributes'] }));
  return { ...compiled.bake, targets: [...compiled.bake.targets, ...extra] };
}

/** The targets one run builds: its groups expanded and, in one bake, everything they link. */
function targetsOf(compiled: Compiled, run: Run): Set<string> {
  const names = bakeTargetsOf(compiled.plan, run.targets);
  return run.level >= 0 ? new Set(names) : linkClosure(compiled.plan, names.filter((n) => compiled.plan.targets.some((t) => t.name === n)));
}

/**
 * How long a pushed link waits for others before the targets it readies start. Measured on the
 * bench matrix (warm, 20 targets): one bake per push took 14 bakes and 4.2-4.8 s, against 5 bakes
 * and 3.3-4.5 s one bake per level; pushes of one level arrive within a few hundred ms of each
 * other on a warm builder, and hours apart on a cold one, where this wait is nothing.
 */
const BATCH_WAIT_MS = 250;

/** The levelled runs, one per target: link images in the cache registry, tagged with the commit, pinned by digest. */
async function levelRuns(compiled: Compiled, targets: string[], lo: LevelOptions): Promise<Run[]> {
  try {
    const stageOf = (t: string) => compiled.plan.targets.find((x) => x.name === t)!.stage;
    return planLevels(compiled.plan, targets, lo).map((r) => ({ level: r.level, targets: [r.targets[0]], links: r.pushesLink ? [r.targets[0]] : [], needs: [...new Set(r.links.map((l) => l.target))], group: `${stageOf(r.targets[0])} ${r.level}`, sets: (digestOf) => [...r.set, ...linkSets(r, lo, digestOf)] }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The whole request as one bake. */
function oneBake(targets: string[]): Run {
  return { level: -1, targets, sets: () => [], links: [], needs: [] };
}

/**
 * Runs as one bake: their targets build at once, each with its own cache refs and pinned links.
 * Measured on the demo (docs/caching.md): a fresh builder restores every per-arch target, as with
 * one bake per target, and the batch costs one buildx start instead of one per target.
 */
function together(runs: readonly Run[]): Run {
  return { level: Math.min(...runs.map((r) => r.level)), targets: runs.flatMap((r) => r.targets), links: runs.flatMap((r) => r.links), needs: runs.flatMap((r) => r.needs), sets: (d) => runs.flatMap((r) => r.sets(d)) };
}

/** Runs grouped by level, in level order: what `--dry-run` prints. */
function byLevel(runs: readonly Run[]): Run[] {
  return [...new Set(runs.map((r) => r.level))].map((level) => together(runs.filter((r) => r.level === level)));
}
