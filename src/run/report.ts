import type { BakeMetadata } from './metadata.js';
import type { Plan } from '../plan/plan.js';
import type { RecordResult } from './history.js';
import type { TargetProgress } from './progress.js';

// What a bake did, target by target: from buildx's --metadata-file (image, digest, build ref),
// BuildKit's build history (steps, cached steps, duration: src/run/history.ts) and buildx's
// progress (which Dockerfile steps ran, failed cache exports and, when the bake failed, which
// targets finished before it stopped: src/run/progress.ts).

export type Status = 'built' | 'cached' | 'failed' | 'interrupted' | 'not built';

interface TargetReport {
  target: string;
  platforms: string[];
  /** cached: every Dockerfile step came from cache; not built: the bake stopped before it (another target failed). */
  status: Status;
  durationMs?: number;
  steps?: number;
  cachedSteps?: number;
  /** Image name(s) pushed or exported; empty for cache-only targets. */
  image: string;
  digest: string;
  /** buildx's build record (builder/node/ref): `docker buildx history inspect` opens it. */
  ref?: string;
  /** The builder's nodes that built it, from their build records: one per platform on a builder of several nodes. */
  nodes?: string[];
}

export interface BakeReport {
  /** How bake built: one bake per dependency level (the default with a cache registry), or one bake. */
  path?: 'levels' | 'one-bake';
  targets: TargetReport[];
  /** Targets whose registry cache export failed (the build itself went on: ignore-error=true). */
  cacheNotSaved: { target: string; error: string }[];
  /** Why step counts are missing, when BuildKit's history could not be read. */
  stepsUnavailable?: string;
  /** Multi-arch tags made from the per-arch twins' images (a levelled `bake --push`). */
  merged?: MergedImage[];
}

export interface MergedImage {
  node: string;
  tags: string[];
  /** The manifest list's digest. */
  digest: string;
}

export interface BakeOutcome {
  /** Every target the bake was to build (groups expanded, links included). */
  targets: string[];
  /** Metadata of the targets that finished, by target (buildx's --metadata-file). */
  metadata: BakeMetadata;
  records: Map<string, RecordResult>;
  /** Instructions and cache exports per target, from the progress buildx printed. */
  progress: Map<string, TargetProgress>;
  /** Targets buildx's progress shows finished, when no metadata file was written (a failed bake). */
  finished?: Set<string>;
  failed?: string[];
  /** buildkitd went away: the unfinished targets were interrupted rather than cancelled. */
  daemonLost?: boolean;
}

export function bakeReport(plan: Plan, o: BakeOutcome): BakeReport {
  const platformsOf = new Map(plan.targets.map((t) => [t.name, t.platforms]));
  const cacheNotSaved: BakeReport['cacheNotSaved'] = [];
  let stepsUnavailable: string | undefined;
  const targets = [...o.targets].sort().map((target): TargetReport => {
    const meta = o.metadata[target];
    const base = { target, platforms: platformsOf.get(target) ?? [], image: '', digest: '' };
    if (!meta) {
      const status: Status = o.failed?.includes(target) ? 'failed' : o.finished?.has(target) ? 'built' : o.daemonLost ? 'interrupted' : 'not built';
      return { ...base, status };
    }
    const image = meta['image.name'] ?? '';
    const digest = meta['containerimage.digest'] ?? '';
    const ref = meta['buildx.build.ref'] === undefined ? {} : { ref: meta['buildx.build.ref'] };
    const p = o.progress.get(target);
    for (const error of p?.cacheErrors ?? []) cacheNotSaved.push({ target, error });
    const status: Status = p && p.instructions > 0 && p.instructionsCached === p.instructions ? 'cached' : 'built';
    const r = o.records.get(target);
    if (!r?.ok) {
      stepsUnavailable ??= r?.reason;
      return { ...base, image, digest, ...ref, status };
    }
    return {
      ...base,
      image,
      digest,
      ...ref,
      status,
      ...(r.durationMs === undefined ? {} : { durationMs: r.durationMs }),
      steps: r.steps,
      cachedSteps: r.cached,
      nodes: r.nodes,
    };
  });
  return { targets, cacheNotSaved, ...(stepsUnavailable ? { stepsUnavailable } : {}) };
}
