import type { Plan, PlanTarget } from '../plan/plan.js';
import { planIndex } from '../plan/plan-index.js';
import { call, ref, str, tpl, type Expr } from './expr.js';

// Registry cache refs: `${CACHE_REGISTRY}:<key>-<branch>`, one key per way a target is built:
// - a per-arch twin writes `<node>-<arch>-<branch>` (what CI jobs and releases build);
// - a multi-arch node writes `<node>-<branch>` (one export holding every platform it built).
// Each reads both: a twin reads its node's ref, a node reads every twin's, so what CI pushed
// restores a developer's `bake <node>` and the other way round. No two kinds of build write one
// ref, so parallel CI jobs never overwrite one another's cache (docker/buildx#1044). A build
// writes only its own branch's refs and reads them first, then each fallback branch's (main):
// a branch's first build restores from main and never overwrites it. Branch names become
// tag-safe (`feature/x` -> `feature-x`). docs/caching.md has the reasoning.

const TAG_UNSAFE = '[^A-Za-z0-9_.-]';

/** A branch name as it stands in a cache tag. */
function sanitizeBranch(branch: string): string {
  return branch.replace(new RegExp(TAG_UNSAFE, 'g'), '-');
}

const branchTag: Expr = call('regex_replace', ref('BRANCH'), str(TAG_UNSAFE), str('-'));

/** The cache keys a target reads, its own first: a twin's node, or a node's twins. */
export function cacheKeys(plan: Plan, t: PlanTarget): string[] {
  // Twins from the plan's index: a search of every target per target made a 10,000-cell catalog
  // with a [cache] take seconds longer to compile than one without.
  const twins = t.arch !== undefined ? [t.node] : (planIndex(plan).twins.get(t.name) ?? []).map((x) => x.name);
  return [t.name, ...twins];
}

/** The current branch's refs first, then each fallback branch's (usually main). */
export function cacheFrom(cache: { fallback: string[] }, keys: string[]): Expr[] {
  return [
    ...keys.map((key) => tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-`, branchTag)),
    ...cache.fallback.flatMap((b) => keys.map((key) => tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-${sanitizeBranch(b)}`))),
  ];
}

// ignore-error: a registry hiccup must not fail the build; image-manifest + oci-mediatypes:
// the layout registries other than Docker Hub (ghcr, ECR, nvcr) accept for cache manifests.
export function cacheTo(key: string): Expr {
  return tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-`, branchTag, ',mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true');
}
