import type { Plan } from '../plan/plan.js';
import type { RecordResult } from './history.js';
import type { TargetProgress } from './progress.js';

// What a bake did, target by target: from buildx's --metadata-file (image, digest, build ref),
// BuildKit's build history (steps, cached steps, duration: src/run/history.ts) and buildx's
// progress (which Dockerfile steps ran, failed cache exports and, when the bake failed, which
// targets finished before it stopped: src/run/progress.ts).

export type Status = 'built' | 'cached' | 'failed' | 'interrupted' | 'not built';

export interface TargetReport {
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
  metadata: Record<string, Record<string, unknown>>;
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
    const image = typeof meta['image.name'] === 'string' ? meta['image.name'] : '';
    const digest = typeof meta['containerimage.digest'] === 'string' ? meta['containerimage.digest'] : '';
    const ref = typeof meta['buildx.build.ref'] === 'string' ? { ref: meta['buildx.build.ref'] } : {};
    const p = o.progress.get(target);
    for (const error of p?.cacheErrors ?? []) cacheNotSaved.push({ target, error });
    const status: Status = p && p.instructions > 0 && p.instructionsCached === p.instructions ? 'cached' : 'built';
    const r = o.records.get(target);
    if (!r?.ok) {
      stepsUnavailable ??= r?.reason;
      return { ...base, image, digest, ...ref, status };
    }
    return { ...base, image, digest, ...ref, status, ...(r.durationMs === undefined ? {} : { durationMs: r.durationMs }), steps: r.steps, cachedSteps: r.cached };
  });
  return { targets, cacheNotSaved, ...(stepsUnavailable ? { stepsUnavailable } : {}) };
}

export function formatTable(report: BakeReport): string {
  const header = ['TARGET', 'PLATFORMS', 'STATUS', 'TIME', 'STEPS', 'CACHED', 'IMAGE', 'DIGEST'];
  const rows = report.targets.map((r) => [
    r.target,
    r.platforms.join(',') || '-',
    r.status,
    r.durationMs === undefined ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`,
    r.steps === undefined ? '-' : String(r.steps),
    r.cachedSteps === undefined || !r.steps ? '-' : `${r.cachedSteps} (${Math.round((100 * r.cachedSteps) / r.steps)}%)`,
    r.image || (r.status === 'built' || r.status === 'cached' ? '(cache only)' : '-'),
    r.digest ? r.digest.slice(0, 19) : '-',
  ]);
  const cells = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const lines = cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  '));
  const totalSteps = sum(report.targets.map((r) => r.steps ?? 0));
  if (totalSteps > 0) {
    const cached = sum(report.targets.map((r) => r.cachedSteps ?? 0));
    lines.push(`${report.targets.length} targets, ${totalSteps} steps, ${cached} cached (${Math.round((100 * cached) / totalSteps)}%)`);
  }
  if (report.stepsUnavailable) lines.push(`step counts unavailable: ${report.stepsUnavailable}`);
  for (const m of report.merged ?? []) lines.push(`${m.node}: ${m.tags.join(' ')} ${m.digest.slice(0, 19)} (a manifest list of its per-arch twins)`);
  return lines.join('\n');
}

/** The report as CI reads it: one JSON document, times in milliseconds. */
export function formatJson(report: BakeReport): string {
  return JSON.stringify(report, null, 2);
}

/** The targets buildx names in its error lines (`ERROR: target runtime-vllm-cuda12: failed to solve`). */
export function failedTargets(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(/target ([A-Za-z0-9_-]+): failed/g)].map((m) => m[1]!))];
}

/**
 * Targets buildx's progress shows finished: it resolves each target's provenance for the metadata
 * file as that target's build completes. A bake of one target leaves the progress unprefixed.
 */
export function finishedTargets(stderr: string, runTargets: string[]): Set<string> {
  const done = new Set<string>();
  for (const m of stderr.matchAll(/^#\d+ (?:\[([A-Za-z0-9_-]+)\] )?resolving provenance for metadata file$/gm)) {
    if (m[1]) done.add(m[1]);
    else if (runTargets.length === 1) done.add(runTargets[0]!);
  }
  return done;
}

/** A list for one line: all of a short one, the first three of a long one and how many more. */
export function someOf(names: string[]): string {
  return names.length > 4 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
