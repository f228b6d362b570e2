import { releaseTagsOf } from '../plan/tags.js';
import type { Plan, PlanTarget } from '../plan/plan.js';

// A release, read off the plan: which per-arch targets are built and pushed by digest, and which
// multi-arch tags are then made from those digests. Pure: commands/release.ts runs it.

export interface ReleaseSelection {
  /** Published nodes in the group: one manifest list each. */
  nodes: PlanTarget[];
  /** Their per-arch twins to push by digest (filtered by arch when asked). */
  twins: PlanTarget[];
}

export function selectRelease(plan: Plan, group: string, arch?: string, only = false): ReleaseSelection | { error: string; hint: string } {
  const g = plan.groups.find((x) => x.name === group);
  const member = plan.targets.find((t) => t.name === group);
  // A CI job of the levelled fan-out: one per-arch target, published or not.
  if (only) {
    if (!member || member.arch === undefined)
      return {
        error: `--only builds one per-arch target, and "${group}" is not one`,
        hint: "name a job's target, e.g. base-cuda12-amd64 (`matrixbake ci --levels` lists them)",
      };
    return { nodes: plan.targets.filter((t) => t.name === member.node && t.tagSuffix !== undefined), twins: [member] };
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
    (t) => t.arch === undefined && t.tagSuffix !== undefined && (names.has(t.name) || plan.targets.some((w) => w.node === t.name && names.has(w.name))),
  );
  if (nodes.length === 0) return { error: `"${group}" holds no published image`, hint: 'release builds the stages with publish = true; try group default' };
  const archs = nodes[0]!.archs;
  if (archs.length === 0)
    return { error: 'the matrix has no arch axis, so there is nothing to merge per arch', hint: 'add arch = ["amd64", "arm64"] under [matrix]' };
  if (arch !== undefined && !archs.includes(arch)) return { error: `unknown arch "${arch}"`, hint: `one of ${archs.join(', ')}` };
  const twins = plan.targets.filter((t) => t.arch !== undefined && nodes.some((n) => n.name === t.node) && (arch === undefined || t.arch === arch));
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
  return nodes.map((n) => {
    const twins = plan.targets.filter((t) => t.node === n.name && t.arch !== undefined);
    const found = twins.map((t) => pushed.find((p) => p.target === t.name));
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
