import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import type { Expansion } from '../expand/expand-cells.js';
import { sortIntoLevels } from '../graph/levels.js';
import type { Matrix } from '../model/model.js';
import { showString } from '../show-value.js';
import { planGroups } from './groups.js';
import { checkNames } from './check-names.js';
import type { Plan, PlanTarget } from './plan.js';
import { planNodes } from './plan-nodes.js';
import { stageOf } from './target-inputs.js';
import { hasArchArgs, markPerArch, twinOf } from './twins.js';

// Cells -> nodes (stage x the stage's axes), their links, per-arch twins and groups.

/**
 * Most targets a plan may have (before per-arch twins). Dynamo's has 30; a plan past this is a
 * slip (stages or values pasted by the thousand) that would take minutes to plan and emit.
 */
const MAX_TARGETS = 200_000;

export function planGraph(m: Matrix, expansion: Expansion): Result<Plan> {
  const bound = m.stages.reduce((n, s) => n + m.axes.filter((a) => s.axes.includes(a.name)).reduce((k, a) => k * a.values.length, 1), 0);
  if (bound > MAX_TARGETS) {
    return fail([
      {
        ...error(
          'stage',
          `${m.stages.length} stages over their axes make up to ${bound} targets, over the limit of ${MAX_TARGETS}`,
          'split the matrix into several files, or vary fewer stages over the largest axes',
        ),
        file: m.file,
      },
    ]);
  }
  const order = sortIntoLevels(
    m.stages.map((s) => s.name),
    (s) => stageOf(m, s).uses.map((u) => u.stage),
  );
  if ('cycle' in order) return fail([{ ...error(`stage.${order.cycle[0]}.uses`, `dependency cycle: ${order.cycle.join(' -> ')}`), file: m.file }]);
  const stageLevel = new Map(order.levels.flatMap((names, level) => names.map((n) => [n, level] as const)));

  // One error per arg and pair of sources, for the first node they meet in.
  const conflicts = new Map<string, Diagnostic>();
  const planned = m.stages.flatMap((stage) =>
    planNodes(m, expansion, stage, stageLevel.get(stage.name)!, (c) => conflicts.has(c.key) || conflicts.set(c.key, c.diagnostic)),
  );
  if (conflicts.size > 0) return fail([...conflicts.values()].map((d) => ({ ...d, file: m.file })));
  // One line per link key: the first node it breaks, and how many more.
  const dangling = new Map<string | undefined, Diagnostic[]>();
  const byName = new Map(planned.map((n) => [n.name, n]));
  for (const d of danglingLinks(m, planned, byName)) dangling.set(d.path, [...(dangling.get(d.path) ?? []), d]);
  if (dangling.size > 0)
    return fail(
      [...dangling.values()].map((ds) => ({
        ...ds[0]!,
        ...(ds.length > 1
          ? { message: `${ds[0]!.message} (and ${ds.length - 1} more node${ds.length > 2 ? 's' : ''} of stage.${ds[0]!.path!.split('.')[1]})` }
          : {}),
        file: m.file,
      })),
    );
  const nodes = inheritLinks(planned, byName);
  const twins = nodes.flatMap((node) =>
    m.arch ? node.archs.map((arch) => twinOf(m, node, arch, (c) => conflicts.has(c.key) || conflicts.set(c.key, c.diagnostic))) : [],
  );
  if (conflicts.size > 0) return fail([...conflicts.values()].map((d) => ({ ...d, file: m.file })));
  if (hasArchArgs(m)) markPerArch(nodes, twins);
  const clash = tagClash(m, nodes);
  if (clash) return fail([{ ...clash, file: m.file }]);
  const targets = [...nodes, ...twins];
  const groups = planGroups(m, nodes, twins);

  const problems = checkNames(targets, groups);
  return problems.length > 0 ? fail(problems.map((d) => ({ ...d, file: m.file }))) : ok({ matrix: m, targets, groups });
}

/**
 * Links to what a stage's own exclude removed: a node whose link has no node, or lacks one of its
 * arches. The consumer must be excluded there too (matrixbake does not drop it silently).
 */
function danglingLinks(m: Matrix, nodes: PlanTarget[], byName: ReadonlyMap<string, PlanTarget>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const n of nodes) {
    for (const l of n.links) {
      const used = byName.get(l.target);
      if (used && n.archs.every((a) => used.archs.includes(a))) continue;
      const missing = used ? n.archs.filter((a) => !used.archs.includes(a)) : [];
      const usedStage = stageOf(m, stageOf(m, n.stage).uses.find((u) => u.context === l.context)!.stage);
      const where = [
        ...Object.entries(n.values).map(([k, v]) => `${k} = "${v}"`),
        ...(used ? [`arch = ${missing.length === 1 ? `"${missing[0]}"` : `[${missing.map((a) => `"${a}"`).join(', ')}]`}`] : []),
      ].join(', ');
      out.push(
        error(
          `stage.${n.stage}.uses.${l.context}`,
          `${n.name} links ${l.target}${used ? ` for ${missing.join(', ')}` : ''}, which stage.${usedStage.name}.exclude removes`,
          `exclude stage ${n.stage} there too: add { ${where}, reason = "..." } to stage.${n.stage}.exclude`,
        ),
      );
    }
  }
  return out;
}

// A named context that replaces a stage of the same Dockerfile (ci's `runtime`) does not stop
// BuildKit from resolving that stage's own `--from` names: dockerfile2llb builds its dependency
// graph from every stage's commands before it swaps the stage for the context. So the node also
// gets the replaced stage's links, or BuildKit looks `backend` up as docker.io/library/backend.
// They are the same targets the replaced node links, so nothing more is built.
function inheritLinks(nodes: PlanTarget[], byName: ReadonlyMap<string, PlanTarget>): PlanTarget[] {
  // Level by level, so a replaced node has its own inherited links first.
  const byLevel: PlanTarget[][] = [];
  for (const n of nodes) (byLevel[n.level] ??= []).push(n);
  for (const node of byLevel.flat()) {
    let own: Set<string> | undefined;
    // Its own links only, not those it gains here.
    const count = node.links.length;
    for (let i = 0; i < count; i++) {
      const link = node.links[i]!;
      const used = byName.get(link.target)!;
      if (used.links.length === 0 || used.dockerfile !== node.dockerfile || used.dockerTarget !== link.context) continue;
      own ??= new Set(node.links.map((l) => l.context));
      for (const l of used.links) {
        if (own.has(l.context)) continue;
        own.add(l.context);
        node.links.push({ context: l.context, target: l.target, via: link.context });
      }
    }
  }
  return nodes;
}

/** Two published images that a template gives one tag: the second would overwrite the first. */
function tagClash(m: Matrix, nodes: PlanTarget[]): Diagnostic | undefined {
  const owner = new Map<string, PlanTarget>();
  for (const n of nodes) {
    for (const tag of n.tags ?? []) {
      const first = owner.get(tag);
      if (!first) {
        owner.set(tag, n);
        continue;
      }
      const key = (t: PlanTarget) => (stageOf(m, t.stage).tags ? `stage.${t.stage}.tags` : 'project.tags');
      const axes = stageOf(m, n.stage).axes.filter((a) => first.values[a] !== n.values[a]);
      return error(
        key(n),
        `${first.name} and ${n.name} would both be tagged ${showString(tag)} (from ${key(first)} and ${key(n)})`,
        axes.length > 0
          ? `name what tells them apart in the template: {${axes[0]}} or {suffix}`
          : 'give each published stage tags of its own (stage.<name>.tags), or put {stage} or {suffix} in the template',
      );
    }
  }
  return undefined;
}
