import { UsageError } from '../errors.js';

// Which way `bake` builds, and the line that tells the user. The default restores fully from the
// registry cache on a fresh builder: one bake per target in levels (src/run/levels.ts), because
// one bake of several linked targets does not (docker/buildx#3878, docs/caching.md).

export type BakePath = { kind: 'levels' } | { kind: 'one-bake'; why: string } | { kind: 'passthrough' };

/** buildx flags that ask for a view of the bake file, not a build: buildx's output is the answer. */
const VIEWS = /^--(print|list|check|call)(=|$)/;

export function chooseBakePath(o: { levels?: boolean; oneBake?: boolean; extra: string[]; cacheRegistry?: string }): BakePath {
  if (o.levels && o.oneBake) throw new UsageError('--levels and --one-bake are two ways to build: choose one');
  if (o.extra.some((a) => VIEWS.test(a))) return { kind: 'passthrough' };
  if (o.oneBake) return { kind: 'one-bake', why: '--one-bake: a builder without local state may rebuild steps shared by several targets (docker/buildx#3878)' };
  if (!o.cacheRegistry) {
    if (o.levels) throw new UsageError('--levels pushes link images to the cache registry: set [cache] registry in the matrix or --var CACHE_REGISTRY=<repo>');
    return { kind: 'one-bake', why: 'no cache registry to link levels through ([cache] registry)' };
  }
  return { kind: 'levels' };
}
