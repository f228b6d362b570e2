import type { BakeMetadata, TargetMetadata } from './metadata.js';
import { runCapture, type Command } from './exec.js';

// Step counts and times of a finished bake's builds, from BuildKit's build history in one call:
// `buildx history ls --format json` lists the records of every node of the builder (buildx asks
// each node: commands/history/utils.go queryRecords), with total, cached and completed steps.
// buildx writes each target's record (`buildx.build.ref`: builder/node/ref) into the metadata
// file. `history ls` returns the newest 50 records a node holds; a ref older than those is asked
// for on its own.
//
// A target whose platforms buildx sends to several nodes (a builder made with `buildx create
// --append`, one node per platform) is one build per node, under one ref id: buildx makes the id
// once per target and names each node's build builder/<node>/<id> (build/build.go,
// newBuildRequests: `opt.Ref = identity.NewID()`, then `buildRef := fmt.Sprintf("%s/%s/%s",
// node.Builder, node.Name, so.Ref)`). The metadata file gets the first node's ref only (`resp[k]
// = res[0]`), and none at all when the target was pushed (the merged manifest list's response
// replaces it). So a target's steps are those of every record of its builder with its id.

/** One build record as `docker buildx history ls --format json` prints it (buildx v0.36 ls.go). */
export interface HistoryRecord {
  /** builder/node/ref */
  ref: string;
  total_steps: number;
  cached_steps: number;
  completed_steps: number;
  created_at: string;
  completed_at?: string;
  status: string;
}

export type RecordResult =
  | {
      ok: true;
      steps: number;
      cached: number;
      durationMs?: number;
      /** The nodes that built it: one per platform on a builder of several nodes. */
      nodes: string[];
    }
  | { ok: false; reason: string };

/** `builder/node/ref` from a target's metadata, if buildx recorded one. */
export function buildRef(metadata: TargetMetadata): { builder: string; ref: string } | undefined {
  const raw = metadata['buildx.build.ref'];
  if (typeof raw !== 'string') return undefined;
  const parts = raw.split('/');
  return parts.length === 3 && parts.every((p) => p.length > 0) ? { builder: parts[0]!, ref: raw } : undefined;
}

/** The JSON lines of `history ls --format json`; anything else (a warning) is passed over. */
export function parseHistoryLs(stdout: string): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const r = JSON.parse(line) as Partial<HistoryRecord>;
      if (typeof r.ref === 'string' && typeof r.total_steps === 'number' && typeof r.cached_steps === 'number') out.push(r as HistoryRecord);
    } catch {
      // a cut line: the others still count
    }
  }
  return out;
}

/**
 * A target's build from the records of its builder: every node's record with its ref id, steps
 * summed, from the first start to the last end. Undefined when no record has the id.
 */
export function recordOf(ref: string, records: readonly HistoryRecord[]): RecordResult | undefined {
  const [builder, , id] = ref.split('/');
  const mine = records.filter((r) => {
    const p = r.ref.split('/');
    return p[0] === builder && p[2] === id;
  });
  if (mine.length === 0) return undefined;
  const start = Math.min(...mine.map((r) => Date.parse(r.created_at)));
  const ends = mine.map((r) => (r.completed_at ? Date.parse(r.completed_at) : NaN));
  const end = ends.some(Number.isNaN) ? NaN : Math.max(...ends);
  return {
    ok: true,
    steps: sum(mine.map((r) => r.total_steps)),
    cached: sum(mine.map((r) => r.cached_steps)),
    ...(Number.isNaN(end - start) ? {} : { durationMs: Math.max(0, end - start) }),
    nodes: [...new Set(mine.map((r) => r.ref.split('/')[1]!))].sort(),
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Each target's record; a target whose record cannot be read says why (old buildx, no history API). */
export async function buildRecords(buildx: Command, metadata: BakeMetadata, env: Record<string, string>, cwd: string): Promise<Map<string, RecordResult>> {
  const out = new Map<string, RecordResult>();
  const wanted = new Map<string, string[]>();
  for (const [target, meta] of Object.entries(metadata)) {
    const ref = buildRef(meta);
    if (!ref)
      out.set(target, {
        ok: false,
        reason: meta['containerimage.digest']
          ? 'no build ref in the metadata file: buildx writes none for a target it built on several nodes and pushed as one manifest list'
          : 'no build ref in the metadata file',
      });
    else wanted.set(ref.ref, [...(wanted.get(ref.ref) ?? []), target]);
  }
  const builders = [...new Set([...wanted.keys()].map((r) => r.split('/')[0]!))];
  const ls = async (builder: string, filter: string[] = []): Promise<{ records: HistoryRecord[] } | { reason: string }> => {
    const r = await runCapture(
      { file: buildx.file, args: [...buildx.args, 'history', 'ls', '--builder', builder, '--format', 'json', '--no-trunc', ...filter] },
      env,
      cwd,
    );
    if (r.exitCode === 0) return { records: parseHistoryLs(r.stdout) };
    // buildx converts the filter in place once per node, so the second node gets `ref~=<id>` and
    // refuses it (commands/history/utils.go, queryRecords: `filters, matchers, err =
    // dockerFiltersToBuildkit(filters)`): on a builder of several nodes no filter works.
    if (/unsupported filter "ref~=/.test(r.stderr))
      return { reason: 'its record is older than the newest 50 of its node, and buildx cannot filter the history of a builder of several nodes' };
    return { reason: firstLine(r.stderr) || `buildx history ls exited with ${r.exitCode}` };
  };
  const found = (records: HistoryRecord[]) => {
    for (const [ref, targets] of wanted) {
      const r = recordOf(ref, records);
      if (r) for (const t of targets) out.set(t, r);
    }
  };
  for (const builder of builders) {
    const r = await ls(builder);
    if ('records' in r) found(r.records);
    for (const [ref, targets] of wanted) {
      if (!ref.startsWith(`${builder}/`) || targets.every((t) => out.has(t))) continue;
      const one = 'records' in r ? await ls(builder, ['--filter', `ref=${ref.split('/')[2]}`]) : r;
      if ('records' in one) found(one.records);
      for (const t of targets) if (!out.has(t)) out.set(t, { ok: false, reason: 'reason' in one ? one.reason : `no build record ${ref}` });
    }
  }
  return out;
}

/** buildx's error line, else its first: the progress of booting a node comes before the error. */
function firstLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return (lines.find((l) => l.startsWith('ERROR: ')) ?? lines[0])?.replace(/^ERROR: /, '') ?? '';
}

/**
 * A record's progress replayed (`buildx history logs --progress=rawjson`): for the targets of a
 * bake of several whose steps buildx's live progress showed under another target's name (a
 * vertex two targets share is shown once), so the live stream says nothing of them.
 */
export async function replayedProgress(buildx: Command, ref: string, env: Record<string, string>, cwd: string): Promise<string | undefined> {
  const parts = ref.split('/');
  const r = await runCapture(
    { file: buildx.file, args: [...buildx.args, 'history', 'logs', '--builder', parts[0]!, '--progress=rawjson', parts[2]!] },
    env,
    cwd,
  );
  // rawjson goes to stderr (it is progress); stdout is empty.
  return r.exitCode === 0 ? `${r.stdout}\n${r.stderr}` : undefined;
}
