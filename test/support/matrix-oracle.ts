import type { Spec, SpecStage } from './assemble-matrix.js';

// The targets a generated matrix must compile to, worked out from docs/format.md's rules alone (no
// src/ code): nodes are a stage times the surviving cells projected on its axes, per-arch twins
// follow, args merge project < axis values < stage (two axis values giving one arg two values is
// an error: argConflicts). A second reading to hold the planner to.

export interface ExpectedTarget {
  name: string;
  node: string;
  platforms: string[];
  contexts: Record<string, string>;
  args: Record<string, string>;
  variableArgs: string[];
  dockerfile: string;
  dockerTarget: string;
  description: string;
  tagSuffix?: string;
}

type Cell = Record<string, string>;

/** Surviving cells, every axis and arch: the combinations no exclude removed. */
function survivingCells(spec: Spec): Cell[] {
  const axes = [...spec.axes.map((a) => ({ name: a.name, values: a.values.map((v) => v.value) })), ...(spec.arch ? [{ name: 'arch', values: spec.arch }] : [])];
  let cells: Cell[] = [{}];
  for (const a of axes) cells = cells.flatMap((c) => a.values.map((v) => ({ ...c, [a.name]: v })));
  return cells.filter((c) => !spec.excludes.some((ex) => Object.entries(ex).every(([k, vs]) => vs.includes(c[k]!))));
}

/**
 * Args that two axis values of one built node give two values, with no stage arg above them: the
 * docs/format.md says that is an error, whatever the order of the axes.
 */
export function argConflicts(spec: Spec): { stage: string; arg: string }[] {
  const out: { stage: string; arg: string }[] = [];
  for (const stage of spec.stages) {
    const mine = spec.axes.filter((a) => stage.axes.includes(a.name));
    for (const c of survivingCells(spec)) {
      const seen = new Map<string, string>();
      for (const a of mine) {
        for (const [k, v] of Object.entries(a.values.find((x) => x.value === c[a.name])!.args)) {
          if (Object.hasOwn(stage.args, k)) continue;
          if (seen.has(k) && seen.get(k) !== v && !out.some((o) => o.stage === stage.name && o.arg === k)) out.push({ stage: stage.name, arg: k });
          seen.set(k, v);
        }
      }
    }
  }
  return out;
}

export function expectedTargets(spec: Spec): ExpectedTarget[] {
  const cells = survivingCells(spec);
  const value = (axis: string, v: string) => spec.axes.find((a) => a.name === axis)!.values.find((x) => x.value === v)!;
  const own = (stage: SpecStage) => spec.axes.filter((a) => stage.axes.includes(a.name)).map((a) => a.name);
  const nodeName = (stage: SpecStage, c: Cell) => [stage.name, ...own(stage).map((a) => value(a, c[a]!).label)].join('-');
  // The first axis written leads the tag, whatever its name.
  const primary = spec.axes[0]?.name;

  const nodes = new Map<string, ExpectedTarget & { stage: SpecStage; archs: Set<string> }>();
  for (const stage of spec.stages) {
    for (const c of cells) {
      const name = nodeName(stage, c);
      const known = nodes.get(name);
      if (known) {
        if (spec.arch) known.archs.add(c.arch!);
        continue;
      }
      const mine = own(stage);
      const args: Record<string, string> = { ...spec.args };
      for (const a of mine) Object.assign(args, value(a, c[a]!).args);
      Object.assign(args, stage.args);
      const dockerfile = stage.dockerfile ?? mine.map((a) => value(a, c[a]!).dockerfile).find((d) => d !== undefined) ?? 'Dockerfile';
      const contexts = Object.fromEntries(stage.uses.map((u) => [u.context, nodeName(spec.stages.find((s) => s.name === u.stage)!, c)]));
      // A link named like the Dockerfile stage it replaces passes that node's links on (plan-graph.ts).
      for (const u of stage.uses) {
        const used = nodes.get(contexts[u.context]!)!;
        if (used.dockerfile !== dockerfile || used.dockerTarget !== u.context) continue;
        for (const [k, t] of Object.entries(used.contexts)) if (!Object.hasOwn(contexts, k)) contexts[k] = t;
      }
      const rest = mine.filter((a) => a !== primary);
      nodes.set(name, {
        name,
        node: name,
        stage,
        archs: new Set(spec.arch ? [c.arch!] : []),
        platforms: [],
        contexts,
        args,
        variableArgs: stage.variables,
        dockerfile,
        dockerTarget: stage.target,
        description: `${spec.image} ${stage.description ?? `${stage.name} stage (${stage.target})`}${mine.length > 0 ? ` for ${mine.map((a) => `${a}=${c[a]}`).join(' ')}` : ''}`,
        ...(stage.publish
          ? {
              tagSuffix: [
                ...(primary && mine.includes(primary) ? [value(primary, c[primary]!).label] : []),
                stage.name,
                ...rest.map((a) => value(a, c[a]!).label),
              ].join('-'),
            }
          : {}),
      });
    }
  }
  const out: ExpectedTarget[] = [];
  const twins: ExpectedTarget[] = [];
  for (const { stage: _s, archs, ...n } of nodes.values()) {
    const arches = (spec.arch ?? []).filter((a) => archs.has(a));
    const platforms = arches.map((a) => `linux/${a}`);
    out.push({ ...n, platforms, description: platforms.length > 0 ? `${n.description} (${platforms.join(', ')})` : n.description });
    for (const a of arches) {
      const contexts = Object.fromEntries(Object.entries(n.contexts).map(([k, t]) => [k, `${t}-${a}`]));
      twins.push({
        ...n,
        name: `${n.name}-${a}`,
        platforms: [`linux/${a}`],
        contexts,
        description: `${n.description} (linux/${a} only: per-arch twin of ${n.name})`,
      });
    }
  }
  return [...out, ...twins];
}
