import type { BakeMetadata } from './metadata.js';
import { BuildFailed } from '../errors.js';
import { someOf } from '../show-value.js';
import { pushedImages } from './pushed-images.js';
import type { Presence } from './registry-head.js';
import { readyJobs } from './ready.js';
import { together, type Run } from './runs.js';

// When each run of a request starts: at once in one bake; in levels, as soon as the link images it
// reads are pushed, seen in the progress of the bake that pushes them while that bake still runs.

/** A finished bake: what the terminal showed (plain progress), what buildx wrote (rawjson, when matrixbake asked for it), its metadata file. */
export interface Ran {
  run: Run;
  exitCode: number;
  stderr: string;
  raw: string;
  metadata: BakeMetadata;
}

export interface Tee {
  /** Put before each progress line, so overlapping bakes can be told apart. */
  prefix?: string;
  /** Each line of buildx's output, as it comes. */
  watch?: (line: string) => void;
}

export interface Schedule {
  runs: Run[];
  levels: boolean;
  /** Link target -> the digest it was pushed as: filled as pushes are seen. */
  digests: Map<string, string>;
  linkTag: (target: string) => string;
  /** Whether matrixbake draws the progress (and can number each bake's lines). */
  ownProgress: boolean;
  note: (line: string) => void;
  bake: (run: Run, tag: string, tee: Tee) => Promise<Ran>;
  /** Each finished bake, before what it readies starts. */
  take: (ran: Ran) => void;
  /** Whether the registry holds a pushed link image (manifestPresence, or a stand-in in tests). */
  confirm: (name: string, digest: string) => Promise<Presence>;
}

/**
 * How long a pushed link waits for others before the targets it readies start. Measured on the
 * bench matrix (warm, 20 targets): one bake per push took 14 bakes and 4.2-4.8 s, against 5 bakes
 * and 3.3-4.5 s one bake per level; pushes of one level arrive within a few hundred ms of each
 * other on a warm builder, and hours apart on a cold one, where this wait is nothing.
 */
const BATCH_WAIT_MS = 250;

/**
 * Starts every run whose links are pushed, as one bake, and again each time a link image is
 * pushed (seen in the progress stream) or a bake ends; returns the first failed bake, once
 * every bake already started has ended. After a failure nothing new starts.
 */
export async function schedule(s: Schedule): Promise<Ran | undefined> {
  const { runs, digests } = s;
  const byTag = new Map(runs.flatMap((r) => r.links.map((t) => [s.linkTag(t), t] as const)));
  const started = new Set<string>();
  const running = new Set<Promise<void>>();
  let failed: Ran | undefined;
  let count = 0;
  let closed = false;
  // A push starts what it readies after a short wait, so the links a level pushes together
  // (all of them, on a warm builder) start one bake, not one each: every buildx start costs.
  // The last link still building starts it at once.
  let timer: NodeJS.Timeout | undefined;
  const soon = () => {
    if (!runs.some((r) => started.has(r.targets.join(' ')) && r.links.some((t) => !digests.has(t)))) return start();
    timer ??= setTimeout(() => {
      timer = undefined;
      start();
    }, BATCH_WAIT_MS);
  };
  const start = () => {
    if (failed) return;
    const ready = readyJobs(
      runs.map((r) => ({ ...r, target: r.targets.join(' ') })),
      started,
      new Set(digests.keys()),
    );
    if (ready.length === 0) return;
    for (const r of ready) started.add(r.target);
    const run = s.levels ? together(ready) : ready[0]!;
    const n = ++count;
    // Bakes overlap: each line of the progress matrixbake draws says which one it comes from
    // (a progress the user chose is passed on as buildx wrote it).
    const prefix = s.levels && s.ownProgress ? `[b${n}] ` : undefined;
    if (s.levels) s.note(`${prefix ?? ''}bake ${n}, level ${run.level}: ${run.targets.join(' ')}`);
    const watch = (line: string) => {
      for (const p of pushedImages(line)) {
        const t = byTag.get(p.name);
        if (!t || digests.has(t)) continue;
        // Pinned only once the registry has it (src/run/registry-head.ts). One it does not have
        // is pinned from buildx's metadata when its bake ends, after that bake's own retry.
        void s.confirm(p.name, p.digest).then((presence) => {
          if (closed || presence === 'absent' || digests.has(t)) return;
          digests.set(t, p.digest);
          soon();
        });
      }
    };
    const done: Promise<void> = s
      .bake(run, String(n), s.levels ? { ...(prefix ? { prefix } : {}), watch } : {})
      .then((ran) => {
        s.take(ran);
        if (ran.exitCode !== 0) failed ??= ran;
        else start();
      })
      .finally(() => running.delete(done));
    running.add(done);
  };
  start();
  while (running.size > 0) await Promise.race(running);
  closed = true;
  clearTimeout(timer);
  const unstarted = runs.filter((r) => !started.has(r.targets.join(' ')));
  if (!failed && unstarted.length > 0)
    throw new BuildFailed(
      `no link image pushed for ${someOf(unstarted.flatMap((r) => r.needs.filter((t) => !digests.has(t))))}, so ${someOf(unstarted.flatMap((r) => r.targets))} could not start`,
    );
  return failed;
}
