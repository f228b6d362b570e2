import type { Plan, PlanGroup, PlanTarget } from './plan.js';

// Lookups by name over a plan, built once per plan. A request for `all` of a 10,000-cell catalog
// names some 20,000 targets; a linear search per name made `bake all --levels --dry-run` take 47 s.

export interface PlanIndex {
  target: ReadonlyMap<string, PlanTarget>;
  group: ReadonlyMap<string, PlanGroup>;
  /** A multi-arch node's per-arch twins, in the plan's order. */
  twins: ReadonlyMap<string, readonly PlanTarget[]>;
}

const indexes = new WeakMap<Plan, PlanIndex>();

export function planIndex(plan: Plan): PlanIndex {
  let index = indexes.get(plan);
  if (!index) {
    const twins = new Map<string, PlanTarget[]>();
    for (const t of plan.targets) {
      if (t.arch === undefined) continue;
      const list = twins.get(t.node);
      if (list) list.push(t);
      else twins.set(t.node, [t]);
    }
    index = { target: new Map(plan.targets.map((t) => [t.name, t])), group: new Map(plan.groups.map((g) => [g.name, g])), twins };
    indexes.set(plan, index);
  }
  return index;
}
