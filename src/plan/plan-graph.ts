import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { matches, type Expansion } from '../expand/expand-cells.js';
import { sortIntoLevels } from '../graph/levels.js';
import { ARCH_PLATFORMS, type Matrix, type Stage } from '../model/model.js';
import { axisValue } from '../model/lookup.js';
import { mergeArgs, type MergedArgs } from './args.js';
import { showString } from '../show-value.js';
import { planGroups } from './groups.js';
import { checkNames } from './check-names.js';
import { nodeName, tagSuffix, twinName } from './names.js';
import type { Plan, PlanSource, PlanTarget } from './plan.js';
import { sourceKind } from '../model/sources.js';
import { composedPath } from '../model/composed.js';
import { nodeTags } from './tags.js';

/** Cells -> nodes (stage x the stage's axes), their links, per-arch twins and groups. */
/**
 * Most targets a plan may have (before per-arch twins). Dynamo's has 30; a plan past this is a
 * slip (stages or values pasted by the thousand) that would take minutes to plan and emit.
 */
export const MAX_TARGETS = 200_000;

export function planGraph(m: Matrix, expansion: Expansion): Result<Plan> {
  const bound = m.stages.reduce((n, s) => n + m.axes.filter((a) => s.axes.includes(a.name)).reduce((k, a) => k * a.values.length, 1), 0);
  if (bound > MAX_TARGETS) {
    return fail([{ ...error('stage', `${m.stages.length} stages over their axes make up to ${bound} targets, over the limit of ${MAX_TARGETS}`, 'split the matrix into several files, or vary fewer stages over the largest axes'), file: m.file }]);
  }
  const order = sortIntoLevels(m.stages.map((s) => s.name), (s) => stageOf(m, s).uses.map((u) => u.stage));
  if ('cycle' in order) return fail([{ ...error(`stage.${order.cycle[0]}.uses`, `dependency cycle: ${order.cycle.join(' -> ')}`), file: m.file }]);
  const stageLevel = new Map(order.levels.flatMap((names, level) => names.map((n) => [n, level] as const)));

  // One error per arg and pair of sources, for the first node they meet in.
  const conflicts = new Map<string, Diagnostic>();
  const planned = m.stages.flatMap((stage) => planNodes(m, expansion, stage, stageLevel.get(stage.name)!, (c) => conflicts.has(c.key) || conflicts.set(c.key, c.diagnostic)));
  if (conflicts.size > 0) return fail([...conflicts.values()].map((d) => ({ ...d, file: m.file })));
  // One line per link key: the first node it breaks, and how many more.
  const dangling = new Map<string | undefined, Diagnostic[]>();
  for (const d of danglingLinks(m, planned)) dangling.set(d.path, [...(dangling.get(d.path) ?? []), d]);
  if (dangling.size > 0) return fail([...dangling.values()].map((ds) => ({ ...ds[0]!, ...(ds.length > 1 ? { message: `${ds[0]!.message} (and ${ds.length - 1} more node${ds.length > 2 ? 's' : ''} of stage.${ds[0]!.path!.split('.')[1]})` } : {}), file: m.file })));
  const nodes = inheritLinks(planned);
  const twins = nodes.flatMap((node) => (m.arch ? node.archs.map((arch) => twinOf(m, node, arch, (c) => conflicts.has(c.key) || conflicts.set(c.key, c.diagnostic))) : []));
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
function danglingLinks(m: Matrix, nodes: PlanTarget[]): Diagnostic[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const out: Diagnostic[] = [];
  for (const n of nodes) {
    for (const l of n.links) {
      const used = byName.get(l.target);
      const missing = used ? n.archs.filter((a) => !used.archs.includes(a)) : [];
      if (used && missing.length === 0) continue;
      const usedStage = stageOf(m, stageOf(m, n.stage).uses.find((u) => u.context === l.context)!.stage);
      const where = [...Object.entries(n.values).map(([k, v]) => `${k} = "${v}"`), ...(used ? [`arch = ${missing.length === 1 ? `"${missing[0]}"` : `[${missing.map((a) => `"${a}"`).join(', ')}]`}`] : [])].join(', ');
      out.push(error(`stage.${n.stage}.uses.${l.context}`, `${n.name} links ${l.target}${used ? ` for ${missing.join(', ')}` : ''}, which stage.${usedStage.name}.exclude removes`, `exclude stage ${n.stage} there too: add { ${where}, reason = "..." } to stage.${n.stage}.exclude`));
    }
  }
  return out;
}

function stageOf(m: Matrix, name: string): Stage {
  return m.stages.find((s) => s.name === name)!;
}

function planNodes(m: Matrix, expansion: Expansion, stage: Stage, level: number, conflict: (c: MergedArgs['conflicts'][number]) => void): PlanTarget[] {
  // One node per distinct projection of the cells onto the stage's axes; its archs are those the
  // surviving cells under it allow, so an excluded cell never yields a platform or a link.
  const byKey = new Map<string, { values: Record<string, string>; archs: Set<string> }>();
  const axes = m.axes.filter((a) => stage.axes.includes(a.name)).map((a) => a.name);
  // A stage's own excludes drop its cells only: the other stages are still built there.
  for (const cell of expansion.cells.filter((c) => !stage.excludes.some((ex) => matches(ex, c)))) {
    // NUL cannot occur in a value (the loader refuses it), so the joined values are a key.
    const key = axes.map((a) => cell[a]!).join('\0');
    let entry = byKey.get(key);
    if (!entry) {
      entry = { values: Object.fromEntries(axes.map((a) => [a, cell[a]!])), archs: new Set<string>() };
      byKey.set(key, entry);
    }
    if (m.arch) entry.archs.add(cell[m.arch.name]!);
  }
  return [...byKey.values()].map(({ values, archs }) => {
    const name = nodeName(m, stage, values);
    const merged = mergeArgs(m, stage, values);
    merged.conflicts.forEach(conflict);
    const archList = m.arch ? m.arch.values.map((v) => v.value).filter((a) => archs.has(a)) : [];
    return {
      name,
      stage: stage.name,
      values,
      node: name,
      archs: archList,
      platforms: archList.map((a) => ARCH_PLATFORMS[a]!),
      context: m.project.context,
      ...withAppended(m, stage, dockerfileFor(m, stage, values)),
      dockerTarget: stage.target,
      args: merged.args,
      withheld: merged.withheld,
      variableArgs: stage.variables,
      renamedVariables: stage.variableArgs,
      sources: sourcesOf(m, stage, values),
      links: stage.uses.map((u) => {
        const used = stageOf(m, u.stage);
        return { context: u.context, target: nodeName(m, used, pick(values, used.axes)) };
      }),
      ...(stage.publish ? { tagSuffix: tagSuffix(m, stage, values), tags: nodeTags(m, stage, values, tagSuffix(m, stage, values)) } : {}),
      sccache: stage.sccache,
      description: describe(m, stage, values, archList),
      level,
    };
  });
}

// A named context that replaces a stage of the same Dockerfile (ci's `runtime`) does not stop
// BuildKit from resolving that stage's own `--from` names: dockerfile2llb builds its dependency
// graph from every stage's commands before it swaps the stage for the context. So the node also
// gets the replaced stage's links, or BuildKit looks `backend` up as docker.io/library/backend.
// They are the same targets the replaced node links, so nothing more is built.
function inheritLinks(nodes: PlanTarget[]): PlanTarget[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of [...nodes].sort((a, b) => a.level - b.level)) {
    const own = new Set(node.links.map((l) => l.context));
    for (const link of [...node.links]) {
      const used = byName.get(link.target)!;
      if (used.dockerfile !== node.dockerfile || used.dockerTarget !== link.context) continue;
      for (const l of used.links) {
        if (own.has(l.context)) continue;
        own.add(l.context);
        node.links.push({ context: l.context, target: l.target, via: link.context });
      }
    }
  }
  return nodes;
}

function twinOf(m: Matrix, node: PlanTarget, arch: string, conflict: (c: MergedArgs['conflicts'][number]) => void): PlanTarget {
  // Its own args: the node's sources, and those that name its arch ([axis.arch.values.arm64], a
  // [[when]] with arch = "arm64"). Most matrices have none: then they are the node's (compile
  // time grows with every merge, and a 10,000-cell matrix has 20,000 twins).
  const merged = hasArchArgs(m) ? mergeArgs(m, stageOf(m, node.stage), { ...node.values, [m.arch!.name]: arch }) : { args: node.args, withheld: node.withheld, conflicts: [] };
  merged.conflicts.forEach(conflict);
  return {
    ...node,
    name: twinName(m, node.name, arch),
    arch,
    archs: [arch],
    platforms: [ARCH_PLATFORMS[arch]!],
    args: merged.args,
    withheld: merged.withheld,
    links: node.links.map((l) => ({ ...l, target: twinName(m, l.target, arch) })),
    // Described anew, not cut from the node's: a description has parentheses of its own (the
    // default "base stage (dynamo-base)", a user's), and cutting at one lost the rest with the cell.
    description: `${describe(m, stageOf(m, node.stage), node.values, [])} (${ARCH_PLATFORMS[arch]} only: per-arch twin of ${node.name})`,
  };
}

const archArgs = new WeakMap<Matrix, boolean>();

function hasArchArgs(m: Matrix): boolean {
  let has = archArgs.get(m);
  if (has === undefined) {
    has = !!m.arch && (m.arch.values.some((v) => Object.keys(v.args).length > 0) || m.when.some((w) => Object.hasOwn(w.match, m.arch!.name)));
    archArgs.set(m, has);
  }
  return has;
}

/**
 * A node whose twins' args differ (per-arch args), or that links such a node, cannot be one bake
 * target for every platform: bake has one set of args per target. It is built as its twins, and
 * its tags are made by merging their images (`bake`'s levels, `release`). A node whose twins all
 * agree takes their args: a single-arch node gets its arch's args.
 */
function markPerArch(nodes: PlanTarget[], twins: PlanTarget[]): void {
  const twinsOf = new Map<string, PlanTarget[]>();
  for (const t of twins) twinsOf.set(t.node, [...(twinsOf.get(t.node) ?? []), t]);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of [...nodes].sort((a, b) => a.level - b.level)) {
    const own = twinsOf.get(node.name) ?? [];
    const differ = [...new Set(own.flatMap((t) => t.args.map((a) => a.name)))].filter((name) => new Set(own.map((t) => t.args.find((a) => a.name === name)?.value ?? '\0')).size > 1);
    const links = node.links.filter((l) => byName.get(l.target)?.perArch).map((l) => l.target);
    if (differ.length > 0 || links.length > 0) node.perArch = { args: differ, links: [...new Set(links)] };
    else if (own[0]) {
      node.args = own[0].args;
      node.withheld = own[0].withheld;
    }
  }
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
      return error(key(n), `${first.name} and ${n.name} would both be tagged ${showString(tag)} (from ${key(first)} and ${key(n)})`, axes.length > 0 ? `name what tells them apart in the template: {${axes[0]}} or {suffix}` : 'give each published stage tags of its own (stage.<name>.tags), or put {stage} or {suffix} in the template');
    }
  }
  return undefined;
}

/** The stage's own contexts, then its axis values' (the stages rule refuses one name from two keys). */
function sourcesOf(m: Matrix, stage: Stage, values: Record<string, string>): PlanSource[] {
  const own = Object.entries(stage.contexts).map(([context, source]) => ({ context, source, kind: sourceKind(source), from: `stage.${stage.name}.contexts.${context}` }));
  const byValue = m.axes.filter((a) => stage.axes.includes(a.name)).flatMap((a) => {
    const v = axisValue(m, a.name, values[a.name]!);
    return Object.entries(v?.contexts ?? {}).map(([context, source]) => ({ context, source, kind: sourceKind(source), from: `axis.${a.name}.values.${v!.value}.contexts.${context}` }));
  });
  return [...own, ...byValue];
}

/** The stage's Dockerfile with `append` after it: a composed file of all the parts. */
function withAppended(m: Matrix, stage: Stage, d: ReturnType<typeof dockerfileFor>): ReturnType<typeof dockerfileFor> {
  if (stage.append.length === 0) return d;
  const parts = [...(d.dockerfileParts ?? [d.dockerfile]), ...stage.append];
  return { dockerfile: composedPath(m.project.composedDir, parts), dockerfileKey: d.dockerfileKey, dockerfileParts: parts };
}

function dockerfileFor(m: Matrix, stage: Stage, values: Record<string, string>): { dockerfile: string; dockerfileKey: string; dockerfileParts?: string[] } {
  const own = `stage.${stage.name}.dockerfile`;
  const parts = (x: { dockerfileParts?: string[] }) => (x.dockerfileParts ? { dockerfileParts: x.dockerfileParts } : {});
  if (stage.dockerfile) return { dockerfile: stage.dockerfile, dockerfileKey: own, ...parts(stage) };
  for (const axis of m.axes) {
    if (!stage.axes.includes(axis.name)) continue;
    const v = axisValue(m, axis.name, values[axis.name]!);
    if (v?.dockerfile) return { dockerfile: v.dockerfile, dockerfileKey: `axis.${axis.name}.values.${v.value}.dockerfile`, ...parts(v) };
  }
  // The stages rule guarantees one of the above; keep the plan total anyway.
  return { dockerfile: 'Dockerfile', dockerfileKey: own };
}

function describe(m: Matrix, stage: Stage, values: Record<string, string>, archs: string[]): string {
  const what = stage.description ?? `${stage.name} stage (${stage.target})`;
  const cell = Object.entries(values).map(([k, v]) => `${k}=${v}`).join(' ');
  const platforms = archs.length > 0 ? ` (${archs.map((a) => ARCH_PLATFORMS[a]).join(', ')})` : '';
  return `${m.project.image} ${what}${cell ? ` for ${cell}` : ''}${platforms}`;
}

function pick(values: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => keys.includes(k)));
}
