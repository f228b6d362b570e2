import { readBakeMetadata } from './metadata.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import { BuildFailed, UsageError } from '../errors.js';
import { acceptsWarning } from '../lint/accept.js';
import type { PlanTarget } from '../plan/plan.js';
import type { PushedTwin } from '../release/release-plan.js';
import { writeBakeFile } from '../write/write-bake-file.js';
import { buildxOrThrow } from './buildx-or-throw.js';
import { runTee } from './exec.js';
import { inParallel } from './in-parallel.js';
import { cacheRegistryOf, planLevels, type LevelRun } from './levels.js';
import { progressRenderer } from './progress-render.js';
import { progressVertices, targetProgress } from './progress.js';
import { retryTransientPush } from './retry.js';
import { shellQuote } from '../shell-quote.js';
import { pushedLinks, twinSteps } from './twin-steps.js';

// A release's per-arch twins, built the way CI fans them out: one bake per twin, in dependency
// order, linked through reproducible link images like `bake --levels`, each published twin
// pushed by digest with provenance for the merge (src/release/release-plan.ts) to list.

/** What building a release's twins needs of the request. */
export interface BuildContext {
  /** Build just the named twins; their links come from earlier jobs, through the registry. */
  only?: boolean;
  dryRun: boolean;
  /** SBOM generator image; default: $MATRIXBAKE_SBOM_GENERATOR, else BuildKit's. */
  sbomGenerator?: string;
  /** Extra buildx arguments for every build (after `--`). */
  extra: string[];
  print: (line: string) => void;
  /** The image repository the twins are pushed to by digest. */
  repo: string;
  vars: Record<string, string>;
  dir: string;
  cwd: string;
  /** The commit, for the link tags (12 characters, as `bake` names them). */
  sha: string;
  epoch: string;
}

/**
 * Each twin and what it links, one bake each, the twins of a level at once; a failure skips what
 * depends on it, not the rest. Links are pinned by digest: the ones built here from their
 * metadata, a CI job's (--only) from the registry, where earlier jobs pushed them.
 */
export async function buildTwins(compiled: Compiled, twins: PlanTarget[], c: BuildContext): Promise<string[]> {
  const cacheRepo = cacheRegistryOf(compiled.plan, c.vars);
  if (!cacheRepo)
    throw new UsageError('release links per-arch images through the cache registry: set [cache] registry in the matrix or --var CACHE_REGISTRY=<repo>');
  const lo = { repo: cacheRepo, tag: /^[0-9a-f]+$/.test(c.sha) ? c.sha.slice(0, 12) : 'local', sourceDateEpoch: c.epoch, ...(c.only ? { only: true } : {}) };
  const names = twins.map((t) => t.name);
  const runs = planLevels(compiled.plan, names, lo);
  const byName = new Map(compiled.plan.targets.map((t) => [t.name, t]));
  const built = runs.flatMap((r) => r.targets);
  const { file } = await writeBakeFile(compiled, built);
  mkdirSync(c.dir, { recursive: true });
  const sbomGenerator = c.sbomGenerator ?? process.env.MATRIXBAKE_SBOM_GENERATOR;
  const broken = new Set<string>();
  const failures: string[] = [];
  const digests = new Map<string, string>();
  /** Opens the wait of the jobs that link a target: its link image is pushed, or its job ended. */
  const linked = new Map<string, () => void>();
  const b = c.dryRun ? undefined : await buildxOrThrow();
  if (c.only && b) for (const [target, digest] of await pushedLinks(b, runs, lo, c.cwd)) digests.set(target, digest);
  const work = mkdtempSync(join(tmpdir(), 'matrixbake-release-'));
  // rawjson, drawn as plain text (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !c.extra.some((a) => /^--progress(=|$)/.test(a));
  const job = async (run: LevelRun, prefix?: string) => {
    const name = run.targets[0];
    const t = byName.get(name)!;
    const blockedBy = c.only ? [] : t.links.map((l) => l.target).filter((n) => broken.has(n));
    if (blockedBy.length > 0) {
      broken.add(name);
      c.print(`matrixbake: skipping ${name}: it links ${blockedBy.join(', ')}, which did not build`);
      return;
    }
    const steps = twinSteps(
      run,
      t,
      { lo, repo: c.repo, ...(sbomGenerator ? { sbomGenerator } : {}) },
      (n) => digests.get(n) ?? (c.dryRun ? `<digest-of-${n}>` : undefined),
    );
    for (const [i, sets] of steps.entries()) {
      const metadata = join(work, `${name}-${i}.json`);
      const args = [
        'bake',
        '-f',
        file,
        ...sets.flatMap((s) => ['--set', s]),
        '--metadata-file',
        metadata,
        ...(ownProgress && b ? ['--progress=rawjson'] : []),
        ...c.extra,
        name,
      ];
      if (!b) {
        c.print(shellQuote(['docker', 'buildx', ...args]));
        continue;
      }
      // On stderr, with buildx's progress: one line per job, so a log (or a test) can tell them apart.
      process.stderr.write(`matrixbake: job ${name} (level ${run.level}${steps.length > 1 ? (i === 0 ? ', link image' : ', release image by digest') : ''})\n`);
      const say = (l: string) => process.stderr.write(`${l}\n`);
      const bake = () =>
        retryTransientPush(
          () =>
            runTee({ file: b.file, args: [...b.args, ...args] }, c.vars, c.cwd, {
              ...(prefix ? { prefix } : {}),
              ...(ownProgress ? { render: progressRenderer((w) => acceptsWarning(compiled.plan.matrix.lintAccept, w)) } : {}),
            }),
          say,
        );
      let ran = await bake();
      // cache-to has ignore-error=true: a refused export passes the job and loses its cache, so
      // the next commit would rebuild it. Once more, as bake does; then a warning.
      const refused = () => targetProgress(progressVertices(ran.raw), [name]).get(name)!.cacheErrors;
      if (ran.exitCode === 0 && refused().length > 0) {
        say(`matrixbake: the registry refused the cache of ${name} (${refused()[0]}); exporting it once more`);
        ran = await bake();
        if (ran.exitCode === 0 && refused().length > 0)
          say(
            `matrixbake: warning: registry cache not saved for ${name}: ${refused()[0]} (the image was built; the next build of this commit on an empty builder will rebuild it)`,
          );
      }
      const { exitCode } = ran;
      if (exitCode !== 0) {
        broken.add(name);
        failures.push(`${name}: docker buildx bake exited with ${exitCode}`);
        c.print(`matrixbake: ${name} failed (docker buildx bake exited with ${exitCode}); what links it is skipped, its image is not merged`);
        return;
      }
      const meta = readBakeMetadata(metadata)[name] ?? {};
      const digest = meta['containerimage.digest'];
      if (digest === undefined) throw new BuildFailed(`${name}: buildx wrote no containerimage.digest to its metadata file`);
      if (i === 0 && run.pushesLink) {
        digests.set(name, digest);
        linked.get(name)?.();
      }
      if (sets.some((s) => s.includes('push-by-digest=true'))) {
        const pushed: PushedTwin = { target: name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo: c.repo, digest };
        writeFileSync(join(c.dir, `${name}.json`), `${JSON.stringify(pushed, null, 2)}\n`);
      }
    }
  };
  try {
    if (!b || runs.length === 1) {
      // --dry-run prints level by level; a single job has nothing to wait for.
      for (const level of [...new Set(runs.map((r) => r.level))]) {
        const inLevel = runs.filter((r) => r.level === level);
        await inParallel(inLevel, inLevel.length, (run) => job(run, inLevel.length > 1 && b ? `[${run.targets[0]}] ` : undefined));
      }
    } else {
      // Each job starts once the links of its stage's twins are pushed (or their jobs ended: then
      // it is skipped), not when its whole level is done: the link image is the first of a twin's
      // two bakes. A stage's twins start together: they share steps, whose cache BuildKit keeps
      // with one of the builds that ran them together (src/run/ready.ts).
      const ready = new Map(
        runs.map((r) => {
          let open!: () => void;
          const p = new Promise<void>((resolve) => (open = resolve));
          linked.set(r.targets[0], open);
          return [r.targets[0], p] as const;
        }),
      );
      const group = (r: LevelRun) => `${byName.get(r.targets[0])!.stage} ${r.level}`;
      await Promise.all(
        runs.map(async (run) => {
          const company = runs.filter((r) => group(r) === group(run));
          await Promise.all(
            company
              .flatMap((r) => r.links)
              .map((l) => ready.get(l.target))
              .filter((p) => p !== undefined),
          );
          try {
            await job(run, `[${run.targets[0]}] `);
          } finally {
            linked.get(run.targets[0])!();
          }
        }),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failures;
}

/** The twins a build phase pushed, from the digests folder a merge phase reads. */
export function readPushed(dir: string): PushedTwin[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PushedTwin);
}
