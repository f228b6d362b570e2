import type { Plan } from '../plan/plan.js';
import type { DockerfileModel } from './dockerfile.js';
import type { Finding } from './finding.js';
import { load } from './load-dockerfile.js';
import { reachableFrom } from './reach.js';

/**
 * Per target built (a node, or the twins of one built per arch): the images its Dockerfile reads
 * that are neither stages nor named contexts (`FROM ${BASE_IMAGE}:${BASE_IMAGE_TAG}`, expanded
 * with its args). `matrixbake check --offline` stands a stub in for each.
 */
export async function targetImages(plan: Plan, repo: string): Promise<Map<string, string[]>> {
  const files = new Map<string, DockerfileModel | Finding>();
  const out = new Map<string, string[]>();
  for (const t of plan.targets) {
    if (!files.has(t.dockerfile)) files.set(t.dockerfile, await load(t, repo));
    const df = files.get(t.dockerfile)!;
    if ('message' in df) continue;
    const target = df.stages.find((s) => s.name === t.dockerTarget.toLowerCase());
    if (!target) continue;
    out.set(t.name, [...reachableFrom(t, df, target, new Set([...t.links.map((l) => l.context), ...t.sources.map((s) => s.context)])).images]);
  }
  return out;
}
