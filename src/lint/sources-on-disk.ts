import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ociLayoutDir } from '../model/sources.js';
import type { Plan, PlanSource } from '../plan/plan.js';
import type { Finding } from './finding.js';

// A directory or OCI layout is made before the build (TensorRT-LLM's wheel), so compile does not
// look for it; lint does, as bake would fail on it. Reported at the matrix line that names it.
export async function sourcesOnDisk(plan: Plan, repo: string): Promise<Finding[]> {
  const seen = new Map<string, PlanSource>();
  for (const t of plan.targets) for (const s of t.sources) if (s.kind !== 'image' && !seen.has(s.source)) seen.set(s.source, s);
  if (seen.size === 0) return [];
  const text = await readFile(plan.matrix.file, 'utf8').catch(() => '');
  const lineOf = (source: string) => Math.max(1, text.split('\n').findIndex((l) => l.includes(JSON.stringify(source))) + 1);
  const out: Finding[] = [];
  for (const s of seen.values()) {
    const dir = s.kind === 'local' ? s.source : ociLayoutDir(s.source);
    const problem = !isDirectory(resolve(repo, dir))
      ? `directory "${dir}" does not exist`
      : s.kind === 'oci-layout' && !existsSync(resolve(repo, dir, 'index.json'))
        ? `"${dir}" is no OCI layout (no index.json)`
        : undefined;
    if (problem)
      out.push({
        file: plan.matrix.file,
        line: lineOf(s.source),
        key: s.from,
        message: `named context "${s.context}": ${problem} (paths are relative to the repo root ${repo}), so the bake would fail`,
        hint:
          s.kind === 'local'
            ? 'create it before the build (bake sends its files to BuildKit), or fix the path'
            : 'write the layout there first (e.g. docker buildx build --output type=oci,tar=false,dest=<dir>), or fix the path',
      });
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
