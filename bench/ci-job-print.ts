import { spawnSync } from 'node:child_process';
import type { Command } from '../src/run/exec.js';

// What one CI job costs buildx before it builds anything, as the catalog grows: the last job of
// the CI fan-out of a synthetic matrix, the bake file that job's `bake` hands buildx (named by
// `--dry-run`), and the wall time of `docker buildx bake -f FILE --print TARGET` on it. Before
// each invocation got a file of its own, the job read the whole catalog: 88 s at 11,000 targets.

/**
 * The file the catalog's last CI job hands buildx, for its per-arch target (the job `matrixbake
 * ci` emits last; at 10,000 cells the fan-out itself is split with --group, GitHub runs 256 jobs).
 */
export function ciJobFile(cli: string, matrix: string, cells: number): { target: string; file: string; targets: number } {
  const target = `app-a${Math.max(1, cells / 10) - 1}-b4-arm64`;
  const head = run('node', [cli, 'bake', matrix, target, '--dry-run']).split('\n')[0]!;
  const m = /^# (\S+): (\d+) of /.exec(head);
  if (!m) throw new Error(`bake --dry-run of ${target} named no bake file: ${head}`);
  return { target, file: m[1]!, targets: Number(m[2]) };
}

/** Wall time of buildx's `--print` of the job's target, from the job's own file. */
export function ciJobPrintMs(buildx: Command, job: { target: string; file: string }): number {
  const t = performance.now();
  run(buildx.file, [...buildx.args, 'bake', '-f', job.file, '--print', job.target]);
  return performance.now() - t;
}

function run(file: string, args: string[]): string {
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}
