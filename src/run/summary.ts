import type { Plan } from '../plan/plan.js';

// What a bake built, from buildx's --metadata-file: one row per target that ran.

export interface BuiltTarget {
  target: string;
  platforms: string[];
  /** Image name(s) pushed or exported; empty for cache-only targets. */
  image: string;
  digest: string;
}

export function builtTargets(plan: Plan, metadata: Record<string, Record<string, unknown>>): BuiltTarget[] {
  const byName = new Map(plan.targets.map((t) => [t.name, t]));
  return Object.keys(metadata)
    .filter((name) => byName.has(name))
    .sort()
    .map((name) => {
      const m = metadata[name]!;
      return {
        target: name,
        platforms: byName.get(name)!.platforms,
        image: typeof m['image.name'] === 'string' ? m['image.name'] : '',
        digest: typeof m['containerimage.digest'] === 'string' ? m['containerimage.digest'] : '',
      };
    });
}

export function formatTable(rows: BuiltTarget[]): string {
  const cells = [['TARGET', 'PLATFORMS', 'IMAGE', 'DIGEST'], ...rows.map((r) => [r.target, r.platforms.join(',') || '-', r.image || '(cache only)', r.digest ? r.digest.slice(0, 19) : '-'])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** The targets buildx names in its error lines (`ERROR: target runtime-vllm-cuda12: failed to solve`). */
export function failedTargets(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(/target ([A-Za-z0-9_-]+): failed/g)].map((m) => m[1]!))];
}
