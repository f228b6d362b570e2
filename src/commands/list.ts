import { table } from '../table.js';
import type { Diagnostic } from '../diagnostics.js';
import type { PlanTarget } from '../plan/plan.js';
import { compileOrThrow } from './compile-or-throw.js';

export interface ListOptions {
  matrix: string;
  json: boolean;
  /** Include the per-arch twins. */
  twins: boolean;
  warn: (d: Diagnostic) => void;
}

export async function listCommand(o: ListOptions): Promise<string> {
  const { plan } = await compileOrThrow(o.matrix, o.warn);
  const targets = plan.targets.filter((t) => o.twins || t.arch === undefined);
  if (o.json) return `${JSON.stringify(targets.map(row), null, 2)}\n`;
  const rows = [['TARGET', 'STAGE', 'AXES', 'PLATFORMS', 'LINKS'], ...targets.map((t) => Object.values(row(t)))];
  return `${table(rows).join('\n')}\n`;
}

function row(t: PlanTarget) {
  return {
    target: t.name,
    stage: t.stage,
    axes:
      Object.entries(t.values)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ') || '-',
    platforms: t.platforms.join(',') || '-',
    links: t.links.map((l) => `${l.context}=${l.target}`).join(' ') || '-',
  };
}
