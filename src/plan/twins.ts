import { ARCH_PLATFORMS, type Matrix } from '../model/model.js';
import { mergeArgs, type MergedArgs } from './args.js';
import { twinName } from './names.js';
import type { PlanTarget } from './plan.js';
import { describe, stageOf } from './target-inputs.js';

// Per-arch twins: a node's image for one arch, with the args that name that arch. A node whose
// twins' args differ is built as its twins (PlanTarget.perArch) and merged into one tag.

export function twinOf(m: Matrix, node: PlanTarget, arch: string, conflict: (c: MergedArgs['conflicts'][number]) => void): PlanTarget {
  // Its own args: the node's sources, and those that name its arch ([axis.arch.values.arm64], a
  // [[when]] with arch = "arm64"). Most matrices have none: then they are the node's (compile
  // time grows with every merge, and a 10,000-cell matrix has 20,000 twins).
  const merged = hasArchArgs(m)
    ? mergeArgs(m, stageOf(m, node.stage), Object.assign({}, node.values, { [m.arch!.name]: arch }))
    : { args: node.args, withheld: node.withheld, conflicts: [] };
  merged.conflicts.forEach(conflict);
  // Field by field, as a node is made (plan-nodes.ts): Node 20's V8 gives each object copied by
  // spread a hidden class of its own, Object.assign of this many fields makes a slow dictionary,
  // and reading 20,000 twins either way took V8's slowest path (bench/NOTES.md, "One shape per cell").
  const twin: PlanTarget = {
    name: twinName(m, node.name, arch),
    stage: node.stage,
    values: node.values,
    node: node.node,
    archs: [arch],
    platforms: [ARCH_PLATFORMS[arch]!],
    context: node.context,
    dockerfile: node.dockerfile,
    dockerfileKey: node.dockerfileKey,
    dockerTarget: node.dockerTarget,
    args: merged.args,
    withheld: merged.withheld,
    variableArgs: node.variableArgs,
    renamedVariables: node.renamedVariables,
    sources: node.sources,
    links: node.links.map((l) => {
      const target = twinName(m, l.target, arch);
      return l.via === undefined ? { context: l.context, target } : { context: l.context, target, via: l.via };
    }),
    sccache: node.sccache,
    // Described anew, not cut from the node's: a description has parentheses of its own (the
    // default "base stage (dynamo-base)", a user's), and cutting at one lost the rest with the cell.
    description: `${describe(m, stageOf(m, node.stage), node.values, [])} (${ARCH_PLATFORMS[arch]} only: per-arch twin of ${node.name})`,
    level: node.level,
    dockerfileParts: node.dockerfileParts,
    tagSuffix: node.tagSuffix,
    tags: node.tags,
    arch,
    perArch: undefined,
  };
  return twin;
}

const archArgs = new WeakMap<Matrix, boolean>();

export function hasArchArgs(m: Matrix): boolean {
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
export function markPerArch(nodes: PlanTarget[], twins: PlanTarget[]): void {
  const twinsOf = new Map<string, PlanTarget[]>();
  for (const t of twins) twinsOf.set(t.node, [...(twinsOf.get(t.node) ?? []), t]);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (const node of [...nodes].sort((a, b) => a.level - b.level)) {
    const own = twinsOf.get(node.name) ?? [];
    const differ = [...new Set(own.flatMap((t) => t.args.map((a) => a.name)))].filter(
      (name) => new Set(own.map((t) => t.args.find((a) => a.name === name)?.value ?? '\0')).size > 1,
    );
    const links = node.links.filter((l) => byName.get(l.target)?.perArch).map((l) => l.target);
    if (differ.length > 0 || links.length > 0) node.perArch = { args: differ, links: [...new Set(links)] };
    else if (own[0]) {
      node.args = own[0].args;
      node.withheld = own[0].withheld;
    }
  }
}
