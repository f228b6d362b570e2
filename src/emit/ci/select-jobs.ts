import { error, fail, ok, type Diagnostic, type Result } from '../../diagnostics.js';
import { sortIntoLevels } from '../../graph/levels.js';
import { linkClosure } from '../../plan/closure.js';
import type { Plan, PlanTarget } from '../../plan/plan.js';
import type { CiJob } from './ci-job.js';

export interface SelectOptions {
  /** Keep only the nodes (or twins) of this plan group; the caller has checked that it exists. */
  group?: string;
  /** Add every twin the selected ones link to, transitively, so each level's jobs can use the last's. */
  levels: boolean;
}

/**
 * The CI fan-out read off the plan: the per-arch twins of published nodes (in `group`), with
 * `levels` also the twins they link to. A job's level is its dependency level among those twins,
 * the same with or without `levels`.
 */
export function selectCiJobs(plan: Plan, o: SelectOptions): Result<CiJob[]> {
  const m = plan.matrix;
  const inFile = (d: Diagnostic): Diagnostic => ({ ...d, file: m.file });
  if (!m.arch)
    return fail([
      inFile(
        error(
          'matrix',
          'the CI fan-out is one job per arch, and the matrix has no arch axis',
          'add arch = ["amd64", "arm64"] (the arches you build) under [matrix]',
        ),
      ),
    ]);
  if (!plan.targets.some((t) => t.tagSuffix !== undefined)) {
    return fail([inFile(error('stage', 'no stage is published, so CI has no image to build', 'set publish = true on the stages whose images CI builds'))]);
  }

  const twins = plan.targets.filter((t) => t.arch !== undefined);
  const byName = new Map(twins.map((t) => [t.name, t]));
  // A group lists nodes, or twins for the per-arch groups (`amd64`).
  const members = o.group === undefined ? undefined : new Set(plan.groups.find((g) => g.name === o.group)?.targets ?? []);
  const roots = twins.filter((t) => t.tagSuffix !== undefined && (!members || members.has(t.node) || members.has(t.name)));
  const needed = linkClosure(
    plan,
    roots.map((t) => t.name),
  );
  const inOrder = twins.filter((t) => needed.has(t.name));
  const sorted = sortIntoLevels(
    inOrder.map((t) => t.name),
    (n) => byName.get(n)!.links.map((l) => l.target),
  );
  // The plan was checked for cycles between stages, and twins link only twins of used stages.
  if ('cycle' in sorted) throw new Error(`cycle among per-arch targets: ${sorted.cycle.join(' -> ')}`);
  const level = new Map(sorted.levels.flatMap((names, i) => names.map((n) => [n, i] as const)));

  const chosen = o.levels ? inOrder : roots;
  const missing = [...new Set(chosen.map((t) => t.arch!))].filter((a) => m.ci.runners[a] === undefined);
  if (missing.length > 0) {
    return fail(
      missing.map((a) => inFile(error(`ci.runners.${a}`, `no CI runner for arch "${a}"`, `add ${tomlKey(a)} = "<runner label>" under [ci.runners]`))),
    );
  }
  // sort is stable: inside a level, the plan's order.
  return ok(
    chosen
      .map((t) =>
        job(
          t,
          level.get(t.name)!,
          m.ci.runners[t.arch!]!,
          m.axes.map((a) => a.name),
        ),
      )
      .sort((a, b) => a.level - b.level),
  );
}

function job(t: PlanTarget, level: number, runner: string, axisOrder: string[]): CiJob {
  return {
    target: t.name,
    node: t.node,
    stage: t.stage,
    platform: t.platforms[0]!,
    arch: t.arch!,
    runner,
    level,
    publish: t.tagSuffix !== undefined,
    values: axisOrder.filter((a) => t.values[a] !== undefined).map((a) => [a, t.values[a]!]),
  };
}

/** `arm/v7` is no bare TOML key. */
const tomlKey = (k: string) => (/^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k));
