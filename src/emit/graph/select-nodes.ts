import { linkClosure } from '../../plan/closure.js';
import type { Plan, PlanTarget } from '../../plan/plan.js';

/**
 * The multi-arch nodes a graph draws: every node, or a group's nodes and everything they link,
 * transitively (what `docker buildx bake <group>` builds). A per-arch group (`amd64`) lists
 * twins; each stands for its node. The caller has checked that the group exists.
 */
export function selectNodes(plan: Plan, group?: string): PlanTarget[] {
  const nodes = plan.targets.filter((t) => t.arch === undefined);
  if (group === undefined) return nodes;
  const byName = new Map(plan.targets.map((t) => [t.name, t]));
  const keep = linkClosure(
    plan,
    (plan.groups.find((g) => g.name === group)?.targets ?? []).map((member) => byName.get(member)!.node),
  );
  // Plan order, not visit order: the same group always draws the same text.
  return nodes.filter((n) => keep.has(n.name));
}
