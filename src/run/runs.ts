import type { Compiled } from '../compile.js';
import { UsageError } from '../errors.js';
import { bakeTargetsOf, linkClosure } from '../plan/closure.js';
import { planIndex } from '../plan/plan-index.js';
import { linkSets, planLevels, type LevelOptions } from './levels.js';

// The `docker buildx bake` invocations a request becomes: one bake of everything (`--one-bake`),
// or one run per target in dependency levels, linked through pushed images (src/run/levels.ts),
// which the scheduler (src/run/schedule.ts) joins into bakes as their links are pushed.

/** One `docker buildx bake`: its targets, and its `--set`s once its links are pinned. */
export interface Run {
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

/** The levelled runs, one per target: link images in the cache registry, tagged with the commit, pinned by digest. */
export function levelRuns(compiled: Compiled, targets: string[], lo: LevelOptions): Run[] {
  try {
    const byName = planIndex(compiled.plan).target;
    const stageOf = (t: string) => byName.get(t)!.stage;
    return planLevels(compiled.plan, targets, lo).map((r) => ({
      level: r.level,
      targets: [r.targets[0]],
      links: r.pushesLink ? [r.targets[0]] : [],
      needs: [...new Set(r.links.map((l) => l.target))],
      group: `${stageOf(r.targets[0])} ${r.level}`,
      sets: (digestOf) => [...r.set, ...linkSets(r, lo, digestOf)],
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The whole request as one bake. */
export function oneBake(targets: string[], sets: string[] = []): Run {
  return { level: -1, targets, sets: () => sets, links: [], needs: [] };
}

/**
 * Runs as one bake: their targets build at once, each with its own cache refs and pinned links.
 * Measured on the demo (docs/caching.md): a fresh builder restores every per-arch target, as with
 * one bake per target, and the batch costs one buildx start instead of one per target.
 */
export function together(runs: readonly Run[]): Run {
  return {
    level: Math.min(...runs.map((r) => r.level)),
    targets: runs.flatMap((r) => r.targets),
    links: runs.flatMap((r) => r.links),
    needs: runs.flatMap((r) => r.needs),
    sets: (d) => runs.flatMap((r) => r.sets(d)),
  };
}

/** Runs grouped by level, in level order: what `--dry-run` prints. */
export function byLevel(runs: readonly Run[]): Run[] {
  return [...new Set(runs.map((r) => r.level))].map((level) => together(runs.filter((r) => r.level === level)));
}

/** The targets one run builds: its groups expanded and, in one bake, everything they link. */
export function targetsOf(compiled: Compiled, run: Run): Set<string> {
  const names = bakeTargetsOf(compiled.plan, run.targets);
  return run.level >= 0
    ? new Set(names)
    : linkClosure(
        compiled.plan,
        names.filter((n) => compiled.plan.targets.some((t) => t.name === n)),
      );
}
