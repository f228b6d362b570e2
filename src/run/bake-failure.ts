import type { BakeMetadata } from './metadata.js';
import type { Compiled } from '../compile.js';
import { BuildFailed } from '../errors.js';
import { someOf } from '../show-value.js';
import { failedTargets, finishedTargets } from './bake-stderr.js';
import { daemonLost, explainBuildxError } from './buildx-errors.js';
import { targetsOf } from './runs.js';
import type { Ran } from './schedule.js';

export interface Failure {
  /** What the report says of the targets of a failed bake. */
  outcome: { finished: Set<string>; failed: string[]; daemonLost: boolean };
  error: BuildFailed;
}

/**
 * What a failed bake means: a buildx error matrixbake can explain (thrown at once: there is
 * nothing to report), or the targets that failed, finished and were interrupted, and the error to
 * end with once the report is printed.
 */
export function bakeFailure(compiled: Compiled, { run, stderr, exitCode }: Ran, planned: string[], metadata: BakeMetadata, restartHint: string): Failure {
  const lost = daemonLost(stderr);
  const explained = lost ? undefined : explainBuildxError(stderr);
  if (explained) throw new BuildFailed(explained.message, explained.hint, exitCode);
  const named = lost ? [] : failedTargets(stderr);
  const failed = named.length === 0 && !lost && run.targets.length === 1 ? run.targets : named;
  const finished = finishedTargets(stderr, [...targetsOf(compiled, run)]);
  const outcome = { finished, failed, daemonLost: !!lost };
  const unfinished = planned.filter((t) => !metadata[t] && !finished.has(t) && !failed.includes(t)).sort();
  const where = run.level >= 0 ? ` (level ${run.level})` : '';
  if (lost)
    return {
      outcome,
      error: new BuildFailed(
        `buildkitd went away during the bake${where} (${lost}): ${unfinished.length} of ${planned.length} targets interrupted (${someOf(unfinished)})`,
        restartHint,
        exitCode,
      ),
    };
  return {
    outcome,
    error: new BuildFailed(
      failed.length > 0
        ? `build failed in target${failed.length > 1 ? 's' : ''} ${failed.join(', ')}${where} (docker buildx bake exited with ${exitCode})`
        : `docker buildx bake exited with ${exitCode}${where}`,
      undefined,
      exitCode,
    ),
  };
}
