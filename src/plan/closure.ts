import type { Plan } from './plan.js';

/** The named targets and everything they link, transitively: what bake builds for them. */
export function linkClosure(plan: Plan, roots: Iterable<string>): Set<string> {
  const byName = new Map(plan.targets.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const l of byName.get(name)!.links) visit(l.target);
  };
  for (const r of roots) visit(r);
  return seen;
}
