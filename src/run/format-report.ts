import { table } from '../table.js';
import type { BakeReport } from './report.js';

// The bake report as a person reads it (a table on stdout) and as CI reads it (JSON).

export function formatTable(report: BakeReport): string {
  // Which node built what, on a builder of several nodes (one per platform, say).
  const nodes = new Set(report.targets.flatMap((r) => r.nodes ?? [])).size > 1;
  const header = ['TARGET', 'PLATFORMS', ...(nodes ? ['NODES'] : []), 'STATUS', 'TIME', 'STEPS', 'CACHED', 'IMAGE', 'DIGEST'];
  const rows = report.targets.map((r) => [
    r.target,
    r.platforms.join(',') || '-',
    ...(nodes ? [r.nodes?.join(',') || '-'] : []),
    r.status,
    r.durationMs === undefined ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`,
    r.steps === undefined ? '-' : String(r.steps),
    r.cachedSteps === undefined || !r.steps ? '-' : `${r.cachedSteps} (${Math.round((100 * r.cachedSteps) / r.steps)}%)`,
    r.image || (r.status === 'built' || r.status === 'cached' ? '(cache only)' : '-'),
    r.digest ? r.digest.slice(0, 19) : '-',
  ]);
  const lines = table([header, ...rows]);
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

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
