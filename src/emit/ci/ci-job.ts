// One CI job: a per-arch twin built on the runner its arch needs. Plain data between the job
// selection (select-jobs.ts) and the format emitters (github, gitlab).

export interface CiJob {
  /** The per-arch twin: `runtime-vllm-cuda12-arm64`. */
  target: string;
  /** The multi-arch node it is a twin of: `runtime-vllm-cuda12`. */
  node: string;
  stage: string;
  /** `linux/arm64`. */
  platform: string;
  arch: string;
  runner: string;
  /** 0 links no other job; a job in level k links only jobs in levels < k. */
  level: number;
  /** The node is published (has tags). */
  publish: boolean;
  /** The values of the stage's axes, in axis order: framework, cuda. */
  values: [axis: string, value: string][];
}

export interface CiMatrix {
  /** The matrix file, relative to its repository root: what a job passes to matrixbake. */
  source: string;
  /** The shell command a job runs matrixbake with: `npx matrixbake`, or the matrix's `[ci] command`. */
  command: string;
  /** Jobs by level (`--levels`), or one flat fan-out. */
  levels: boolean;
  /** The plan group the jobs were selected from (`--group`); the merge job merges that group. */
  group?: string;
  /** Ordered by level, then as the plan orders targets. */
  jobs: CiJob[];
}

/** The jobs of each level, level 0 first. */
function jobsByLevel(jobs: readonly CiJob[]): CiJob[][] {
  const out: CiJob[][] = [];
  for (const j of jobs) (out[j.level] ??= []).push(j);
  return Array.from(out, (level) => level ?? []);
}

/** The matrices a format runs: one per level with `--levels`, else one. */
export function matricesOf(ci: CiMatrix): CiJob[][] {
  return ci.levels ? jobsByLevel(ci.jobs) : [ci.jobs];
}
