import { planIndex } from './plan-index.js';
import type { Plan } from './plan.js';

/** The named targets and everything they link, transitively: what bake builds for them. */
export function linkClosure(plan: Plan, roots: Iterable<string>): Set<string> {
  const byName = planIndex(plan).target;
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const l of byName.get(name)!.links) visit(l.target);
  };
  for (const r of roots) visit(r);
  return seen;
}

/**
 * The bake targets a request names, as the bake file builds them: groups expanded, and a node
 * built as its per-arch twins (a group of them in the bake file) as those twins.
 */
export function bakeTargetsOf(plan: Plan, names: string[]): string[] {
  const index = planIndex(plan);
  const out = new Set<string>();
  const visit = (n: string) => {
    const g = index.group.get(n);
    if (g) return g.targets.forEach(visit);
    if (index.target.get(n)?.perArch) return (index.twins.get(n) ?? []).forEach((x) => out.add(x.name));
    out.add(n);
  };
  names.forEach(visit);
  return [...out];
}
