import { releaseTagsOf } from '../plan/tags.js';
import type { Plan, PlanTarget } from '../plan/plan.js';
import { planIndex } from '../plan/plan-index.js';

// A release, read off the plan: which per-arch targets are built and pushed by digest, and which
// multi-arch tags are then made from those digests. Pure: commands/release.ts runs it.

export interface ReleaseSelection {
  /** Published nodes in the group: one manifest list each. */
  nodes: PlanTarget[];
  /** Their per-arch twins to push by digest (filtered by arch when asked). */
  twins: PlanTarget[];
}

export function selectRelease(plan: Plan, group: string, arch?: string, only = false): ReleaseSelection | { error: string; hint: string } {
  const index = planIndex(plan);
  const g = index.group.get(group);
  const member = index.target.get(group);
  // A CI job of the levelled fan-out: one per-arch target, published or not.
  if (only) {
    if (!member || member.arch === undefined)
      return {
        error: `--only builds one per-arch target, and "${group}" is not one`,
        hint: "name a job's target, e.g. base-cuda12-amd64 (`matrixbake ci --levels` lists them)",
      };
    return { nodes: [index.target.get(member.node)!].filter((t) => t.tagSuffix !== undefined), twins: [member] };
  }
  if (!g && !member)
    return {
      error: `unknown group or target "${group}"`,
      hint: `one of ${plan.groups
        .map((x) => x.name)
        .slice(0, 8)
        .join(', ')}, ...; \`matrixbake list\` shows targets`,
    };
  const names = new Set(g ? g.targets : [group]);
  const nodes = plan.targets.filter(
    (t) => t.arch === undefined && t.tagSuffix !== undefined && (names.has(t.name) || (index.twins.get(t.name) ?? []).some((w) => names.has(w.name))),
  );
  if (nodes.length === 0) return { error: `"${group}" holds no published image`, hint: 'release builds the stages with publish = true; try group default' };
  const archs = nodes[0]!.archs;
  if (archs.length === 0)
    return { error: 'the matrix has no arch axis, so there is nothing to merge per arch', hint: 'add arch = ["amd64", "arm64"] under [matrix]' };
  if (arch !== undefined && !archs.includes(arch)) return { error: `unknown arch "${arch}"`, hint: `one of ${archs.join(', ')}` };
  const twins = nodes.flatMap((n) => index.twins.get(n.name) ?? []).filter((t) => arch === undefined || t.arch === arch);
  return { nodes, twins };
}

/** One per-arch image pushed by digest: what the merge reads (a file per twin in --digests DIR). */
export interface PushedTwin {
  target: string;
  node: string;
  arch: string;
  platform: string;
  /** `registry/image` the digest lives in. */
  repo: string;
  digest: string;
}

export type MergeStep = { node: string; tags: string[]; sources: string[]; annotations: string[] } | { node: string; missing: string[] };

export interface MergeOptions {
  /** The registry the tags go to (the templates' `{registry}`). */
  registry: string;
  version: string;
  revision: string;
  source?: string;
  /** ISO time the index says it was created: the commit's, so that merges are reproducible. */
  created: string;
}

/** Per node: the tags to create from its twins' digests, or which arches are missing. */
export function mergeSteps(plan: Plan, nodes: PlanTarget[], pushed: PushedTwin[], o: MergeOptions): MergeStep[] {
  const byTarget = new Map<string, PushedTwin>();
  for (const p of pushed) if (!byTarget.has(p.target)) byTarget.set(p.target, p);
  return nodes.map((n) => {
    const twins = planIndex(plan).twins.get(n.name) ?? [];
    const found = twins.map((t) => byTarget.get(t.name));
    const missing = twins.filter((_, i) => !found[i]).map((t) => t.name);
    if (missing.length > 0) return { node: n.name, missing };
    return {
      node: n.name,
      tags: releaseTagsOf(n.tags!, o.registry, o.version),
      sources: found.map((p) => `${p!.repo}@${p!.digest}`),
      annotations: [
        `index:org.opencontainers.image.version=${o.version}`,
        `index:org.opencontainers.image.revision=${o.revision}`,
        `index:org.opencontainers.image.created=${o.created}`,
        `index:org.opencontainers.image.title=${plan.matrix.project.image}-${n.tagSuffix}`,
        `index:org.opencontainers.image.description=${n.description}`,
        ...(o.source ? [`index:org.opencontainers.image.source=${o.source}`] : []),
      ],
    };
  });
}
