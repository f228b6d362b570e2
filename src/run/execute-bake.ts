import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import { BuildFailed } from '../errors.js';
import { acceptsWarning } from '../lint/accept.js';
import { someOf } from '../show-value.js';
import { writeComposed } from '../write/write-composed.js';
import { bakeFailure } from './bake-failure.js';
import type { MergeStep } from './bake-invocation.js';
import { buildxOrThrow } from './buildx-or-throw.js';
import { builderArg, downNodes, inspectBuilder } from './builder-nodes.js';
import { checkSources } from './check-request.js';
import { collectReport } from './collect-report.js';
import { runCapture, runTee } from './exec.js';
import { formatJson, formatTable } from './format-report.js';
import { digestOf } from './imagetools.js';
import { manifestPresence } from './registry-head.js';
import { readBakeMetadata, type BakeMetadata } from './metadata.js';
import { progressRenderer } from './progress-render.js';
import { progressVertices, targetProgress, type TargetProgress } from './progress.js';
import type { BakeReport, MergedImage } from './report.js';
import { retryTransientPush } from './retry.js';
import { targetsOf, together, type Run } from './runs.js';
import { schedule, type Ran, type Tee } from './schedule.js';
import { hintsHere } from './setup-hints.js';

// A request's bakes, run: each as soon as what it links is pushed (src/run/schedule.ts), then the
// per-arch twins merged into their nodes' tags, then the report: a table, or JSON for CI.

export interface BakeExecution {
  compiled: Compiled;
  runs: Run[];
  levels: boolean;
  /** The tag a target's link image is pushed under. */
  linkTag: (target: string) => string;
  /** A run's `docker buildx bake` arguments, with its pinned links and its metadata file. */
  argsOf: (run: Run, sets: string[], metadata?: string) => string[];
  /** Whether matrixbake draws buildx's progress (rawjson) or the user chose one. */
  ownProgress: boolean;
  vars: Record<string, string>;
  cwd: string;
  json: boolean;
  /** Where the user asked for buildx's metadata (`-- --metadata-file F`): all bakes' together. */
  userMetadata?: string;
  /** The multi-arch tags to make from twins (`--push`): each node's tags, and its `imagetools create`. */
  merges: MergeStep[];
  print: (line: string) => void;
  note: (line: string) => void;
}

export async function executeBake(x: BakeExecution): Promise<void> {
  const { compiled, runs, argsOf, ownProgress, vars, cwd } = x;
  checkSources(
    compiled,
    runs.flatMap((r) => [...targetsOf(compiled, r)]),
    cwd,
  );
  await writeComposed(compiled.plan, cwd);
  const buildx = await buildxOrThrow();
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-run-'));
  const metadata: BakeMetadata = {};
  const progress = new Map<string, TargetProgress>();
  const digests = new Map<string, string>();
  const planned = [...new Set(runs.flatMap((r) => [...targetsOf(compiled, r)]))];
  const bake = async (run: Run, tag: string, tee_: Tee = {}): Promise<Ran> => {
    const file = join(dir, `metadata-${tag}.json`);
    const args = argsOf(
      run,
      run.sets((t) => digests.get(t)),
      file,
    );
    const tee = () =>
      runTee({ file: buildx.file, args: [...buildx.args, ...args] }, vars, cwd, {
        ...tee_,
        ...(ownProgress ? { render: progressRenderer((w) => acceptsWarning(compiled.plan.matrix.lintAccept, w)) } : {}),
      });
    const r = await retryTransientPush(tee, (l) => process.stderr.write(`${l}\n`));
    const meta = r.exitCode === 0 ? readBakeMetadata(file) : {};
    return { run, ...r, metadata: meta };
  };
  const mismatched: string[] = [];
  const take = (ran: Ran) => {
    Object.assign(metadata, ran.metadata);
    for (const [t, p] of targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, ran.run)])) progress.set(t, p);
    for (const name of ran.run.links) {
      const digest = ran.metadata[name]?.['containerimage.digest'];
      if (digest === undefined) continue;
      const seen = digests.get(name);
      // What links it was pinned to the digest the registry reported while the bake ran.
      if (seen && seen !== digest) mismatched.push(`${name}: pushed as ${seen}, buildx's metadata says ${digest}`);
      digests.set(name, digest);
    }
  };
  const report = (failure?: Parameters<typeof collectReport>[1]) =>
    collectReport({ plan: compiled.plan, buildx, planned, metadata, progress, levels: x.levels, vars, cwd }, failure);
  const print = (r: BakeReport) => {
    if (x.userMetadata) writeFileSync(x.userMetadata, `${JSON.stringify(metadata, null, 2)}\n`);
    x.print(x.json ? formatJson(r) : formatTable(r));
    if (r.cacheNotSaved.length > 0) {
      const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
      x.note(
        `matrixbake: warning: registry cache not saved for ${names.length} of ${r.targets.length} targets (${someOf(names)}): ${r.cacheNotSaved[0]!.error} (the images were built; an empty builder will rebuild these)`,
      );
    }
  };

  /**
   * A cache export the registry refused (a reset connection, the local registry's "provided
   * digest did not match" under concurrent pushes) is tried once more: the build is all in
   * BuildKit's cache, so the rerun costs the export alone. What still fails is reported.
   */
  const reexport = async (r: BakeReport): Promise<BakeReport> => {
    const names = [...new Set(r.cacheNotSaved.map((c) => c.target))];
    x.note(`matrixbake: the registry refused the cache of ${someOf(names)} (${r.cacheNotSaved[0]!.error}); exporting it once more`);
    // Every link is pushed by now, so one bake re-exports them all.
    const run = x.levels ? together(runs.filter((x) => names.includes(x.targets[0]!))) : { ...runs[0]!, targets: names };
    const ran = await bake(run, 'reexport');
    const p = targetProgress(progressVertices(ran.raw), [...targetsOf(compiled, run)]);
    const still = new Set(names.filter((n) => ran.exitCode !== 0 || (p.get(n)?.cacheErrors.length ?? 0) > 0));
    return { ...r, cacheNotSaved: r.cacheNotSaved.filter((c) => still.has(c.target)) };
  };

  try {
    const failed = await schedule({ runs, levels: x.levels, digests, linkTag: x.linkTag, ownProgress, note: x.note, bake, take, confirm: manifestPresence });
    if (failed) {
      // buildx does not say which node of several it could not reach; its builder does (the one
      // `-- --builder X` names, else BUILDX_BUILDER's). With one node, "buildkitd went away" says it.
      const info = await inspectBuilder(buildx, vars, cwd, builderArg(argsOf(runs[0]!, [])));
      const f = bakeFailure(
        compiled,
        failed,
        planned,
        metadata,
        `${hintsHere().restartBuildkitd} and run the same command: the steps that finished are in its cache`,
        info && info.nodes.length > 1 ? { builder: info.name, nodes: downNodes(info) } : undefined,
      );
      print(await report(f.outcome));
      throw f.error;
    }
    if (mismatched.length > 0)
      throw new BuildFailed(
        `a link image changed under the targets that read it: ${mismatched.join('; ')}`,
        'run the same command again: the rerun pins what buildx reports',
      );
    // The published nodes asked for, as manifest lists of their twins' images (`--push`).
    const merged: MergedImage[] = [];
    for (const m of x.merges) {
      const tags = m.tags;
      const twinDigest = (t: string) => digests.get(t) ?? metadata[t]?.['containerimage.digest'] ?? '';
      const r = await runCapture({ file: buildx.file, args: [...buildx.args, ...m.args(twinDigest)] }, vars, cwd);
      const digest = r.exitCode === 0 && tags[0] ? await digestOf(buildx, tags[0], cwd) : undefined;
      if (!digest) throw new BuildFailed(`${m.node}: imagetools create failed: ${r.stderr.trim().split('\n').at(-1) ?? `no manifest list at ${tags[0]}`}`);
      merged.push({ node: m.node, tags, digest });
    }
    const r: BakeReport = { path: x.levels ? 'levels' : 'one-bake', ...(await report()), ...(merged.length > 0 ? { merged } : {}) };
    print(r.cacheNotSaved.length > 0 ? await reexport(r) : r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
