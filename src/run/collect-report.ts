import type { BakeMetadata } from './metadata.js';
import type { Plan } from '../plan/plan.js';
import type { Command } from './exec.js';
import { downNodes, inspectBuilder, showNode } from './builder-nodes.js';
import { buildRecords, buildRef, replayedProgress, type RecordResult } from './history.js';
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
  const down = await nodesDown(c);
  const records = down ? new Map<string, RecordResult>(Object.keys(c.metadata).map((t) => [t, { ok: false, reason: down }])) : await recordsOf(c);
  return bakeReport(c.plan, { targets: c.planned, metadata: c.metadata, records, progress: c.progress, ...failure });
}

/**
 * Why BuildKit's history cannot be read: a node of the builder is down. `buildx history` loads
 * every node of the builder and waits 20 s for one that does not answer before it fails.
 */
async function nodesDown(c: Collected): Promise<string | undefined> {
  const builders = [...new Set(Object.values(c.metadata).flatMap((m) => buildRef(m)?.builder ?? []))];
  const down = (await Promise.all(builders.map((b) => inspectBuilder(c.buildx, c.vars, c.cwd, b)))).flatMap((info) => (info ? downNodes(info) : []));
  if (down.length === 0) return undefined;
  return `builder node${down.length > 1 ? 's' : ''} ${down.map(showNode).join(', ')} ${down.length > 1 ? 'are' : 'is'} down, and buildx history reads every node of a builder`;
}

async function recordsOf(c: Collected): Promise<Map<string, RecordResult>> {
  const records = await buildRecords(c.buildx, c.metadata, c.vars, c.cwd);
  // The live stream names each step once, after the target that asked for it first. In one bake
  // a target asks for every step of what it links (`target:`), so a target's own steps may show
  // under another's name: its record, replayed, says (about 1 s per 20 targets). In levels a
  // target's own steps are its own; only one that shows none is replayed. A target built on
  // several nodes replays one node's record: `history logs` takes a ref id, and of the records
  // with that id picks the newest (commands/history/logs.go: recs[0]).
  const replay = Object.entries(c.metadata).filter(([t, meta]) => buildRef(meta) && (!c.levels || (c.progress.get(t)?.instructions ?? 0) === 0));
  await inParallel(replay, 4, async ([t, meta]) => {
    const text = await replayedProgress(c.buildx, buildRef(meta)!.ref, c.vars, c.cwd);
    if (text) c.progress.set(t, targetProgress(progressVertices(text), [t]).get(t)!);
  });
  return records;
}
