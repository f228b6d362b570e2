import type { Matrix } from '../model/model.js';
import { keyPath } from '../show-value.js';
import { valueLabel } from './names.js';
import type { PlanGroup, PlanTarget } from './plan.js';

/**
 * all, default, one per axis value (`vllm`, `cuda12`), one per arch (`amd64`: the twins), one per
 * stage (`runtime`), and primary value x stage (`vllm-runtime`). Empty groups are left out.
 */
export function planGroups(m: Matrix, nodes: PlanTarget[], twins: PlanTarget[]): PlanGroup[] {
  const names = (ts: PlanTarget[]) => ts.map((t) => t.name);
  const published = nodes.filter((n) => n.tagSuffix !== undefined);
  const groups: PlanGroup[] = [
    { name: 'all', description: 'every image, multi-arch', targets: names(nodes) },
    {
      name: 'default',
      description: published.length > 0 ? 'the published images' : 'every image (no stage is published)',
      targets: names(published.length > 0 ? published : nodes),
    },
  ];
  // Nodes bucketed once per key: filtering every node for every value made compile quadratic.
  const bucket = (key: (n: PlanTarget) => string | undefined) => {
    const out = new Map<string, PlanTarget[]>();
    for (const n of nodes) {
      const k = key(n);
      if (k !== undefined) (out.get(k) ?? out.set(k, []).get(k)!).push(n);
    }
    return out;
  };
  for (const axis of m.axes) {
    const byValue = bucket((n) => n.values[axis.name]);
    axis.values.forEach((v, i) => {
      groups.push({
        name: v.label,
        description: `every image with ${axis.name}=${v.value}`,
        targets: names(byValue.get(v.value) ?? []),
        source: keyPath('matrix', axis.name, i),
      });
    });
  }
  (m.arch?.values ?? []).forEach((v, i) => {
    const ts = twins.filter((t) => t.arch === v.value);
    groups.push({
      name: v.label,
      description: `every image for ${v.value} alone (per-arch twins, for CI fan-out)`,
      targets: names(ts),
      source: keyPath('matrix', m.arch!.name, i),
    });
  });
  const byStage = bucket((n) => n.stage);
  for (const stage of m.stages) {
    const ts = byStage.get(stage.name) ?? [];
    // A stage without axes has a single node named like the stage: that target is the group.
    if (ts.length === 1 && ts[0]!.name === stage.name) continue;
    groups.push({ name: stage.name, description: `every ${stage.name} image`, targets: names(ts), source: keyPath('stage', stage.name) });
  }
  const primary = m.axes.find((a) => a.name === m.primaryAxis);
  if (primary) {
    const byStageValue = bucket((n) => (n.values[primary.name] === undefined ? undefined : `${n.stage}\0${n.values[primary.name]}`));
    for (const stage of m.stages.filter((s) => s.axes.includes(primary.name))) {
      for (const v of primary.values) {
        const ts = byStageValue.get(`${stage.name}\0${v.value}`) ?? [];
        groups.push({
          name: `${valueLabel(m, primary.name, v.value)}-${stage.name}`,
          description: `${stage.name} images for ${primary.name}=${v.value}`,
          targets: names(ts),
          source: keyPath('stage', stage.name),
        });
      }
    }
  }
  return groups.filter((g) => g.targets.length > 0);
}
