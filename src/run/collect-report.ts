import type { BakeMetadata } from './metadata.js';
import type { Plan } from '../plan/plan.js';
import type { Command } from './exec.js';
import { buildRecords, buildRef, replayedProgress } from './history.js';
import { inParallel } from './in-parallel.js';
import { progressVertices, targetProgress, type TargetProgress } from './progress.js';
import { bakeReport, type BakeOutcome, type BakeReport } from './report.js';

export interface Collected {
  plan: Plan;
  buildx: Command;
  /** Every target the request was to build. */
  planned: string[];
  metadata: BakeMetadata;
  /** Per target, from the progress the bakes streamed; completed here from build records. */
  progress: Map<string, TargetProgress>;
  levels: boolean;
  vars: Record<string, string>;
  cwd: string;
}

/** The report of a finished (or failed) request: metadata, one `history ls`, and replays where the stream fell short. */
export async function collectReport(c: Collected, failure?: Pick<BakeOutcome, 'finished' | 'failed' | 'daemonLost'>): Promise<BakeReport> {
  // The live stream names each step once, after the target that asked for it first. In one bake
  // a target asks for every step of what it links (`target:`), so a target's own steps may show
  // under another's name: its record, replayed, says (about 1 s per 20 targets). In levels a
  // target's own steps are its own; only one that shows none is replayed.
  const replay = Object.entries(c.metadata).filter(([t, meta]) => buildRef(meta) && (!c.levels || (c.progress.get(t)?.instructions ?? 0) === 0));
  await inParallel(replay, 4, async ([t, meta]) => {
    const text = await replayedProgress(c.buildx, buildRef(meta)!.ref, c.vars, c.cwd);
    if (text) c.progress.set(t, targetProgress(progressVertices(text), [t]).get(t)!);
  });
  return bakeReport(c.plan, {
    targets: c.planned,
    metadata: c.metadata,
    records: await buildRecords(c.buildx, c.metadata, c.vars, c.cwd),
    progress: c.progress,
    ...failure,
  });
}
