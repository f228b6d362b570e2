import { call, ref, str, tpl, type Expr } from './expr.js';

// Registry cache refs: `${CACHE_REGISTRY}:<target>-<branch>`. Per-arch twins are separate
// targets, so parallel CI jobs write separate refs and never overwrite one another's cache
// (docker/buildx#1044). Branch names become tag-safe (`feature/x` -> `feature-x`).

const TAG_UNSAFE = '[^A-Za-z0-9_.-]';

/** A branch name as it stands in a cache tag. */
export function sanitizeBranch(branch: string): string {
  return branch.replace(new RegExp(TAG_UNSAFE, 'g'), '-');
}

const branchTag: Expr = call('regex_replace', ref('BRANCH'), str(TAG_UNSAFE), str('-'));

/** The current branch's ref first, then each fallback branch's (usually main). */
export function cacheFrom(cache: { fallback: string[] }, key: string): Expr[] {
  return [
    tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-`, branchTag),
    ...cache.fallback.map((b) => tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-${sanitizeBranch(b)}`)),
  ];
}

// ignore-error: a registry hiccup must not fail the build; image-manifest + oci-mediatypes:
// the layout registries other than Docker Hub (ghcr, ECR, nvcr) accept for cache manifests.
export function cacheTo(key: string): Expr {
  return tpl('type=registry,ref=', ref('CACHE_REGISTRY'), `:${key}-`, branchTag, ',mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true');
}
