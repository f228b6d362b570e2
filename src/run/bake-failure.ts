import type { BakeMetadata } from './metadata.js';
import type { Compiled } from '../compile.js';
import { BuildFailed } from '../errors.js';
import { someOf } from '../show-value.js';
import { failedTargets, finishedTargets } from './bake-stderr.js';
import { showNode, type BuilderNode } from './builder-nodes.js';
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
 * end with once the report is printed. `down`: the builder's nodes that are down (src/run/builder-nodes.ts),
 * which buildx's error does not name.
 */
export function bakeFailure(
  compiled: Compiled,
  { run, stderr, exitCode }: Ran,
  planned: string[],
  metadata: BakeMetadata,
  restartHint: string,
  down: { builder: string; nodes: BuilderNode[] } = { builder: '', nodes: [] },
): Failure {
  const lost = daemonLost(stderr);
  const explained = lost ? undefined : explainBuildxError(stderr);
  if (explained) throw new BuildFailed(explained.message, explained.hint, exitCode);
  const named = lost ? [] : failedTargets(stderr);
  // A target that failed on its own names itself; a node that is down fails the bake before any step.
  const nodeDown = down.nodes.length > 0 && named.length === 0;
  const failed = named.length === 0 && !lost && !nodeDown && run.targets.length === 1 ? run.targets : named;
  const finished = finishedTargets(stderr, [...targetsOf(compiled, run)]);
  // buildx dials every node a bake needs before its first step: a dial that failed cut nothing off.
  const cutOff = !!lost && !(nodeDown && /failed to dial|Error while dialing/.test(stderr));
  const outcome = { finished, failed, daemonLost: cutOff };
  const unfinished = planned.filter((t) => !metadata[t] && !finished.has(t) && !failed.includes(t)).sort();
  const where = run.level >= 0 ? ` (level ${run.level})` : '';
  if (nodeDown) {
    const nodes = down.nodes.map(showNode).join(', ');
    const cause = `${run.level >= 0 ? `level ${run.level}: ` : ''}${lost ?? lastError(stderr)}`;
    const what = `${unfinished.length} of ${planned.length} targets ${cutOff ? 'interrupted' : 'not built'} (${someOf(unfinished)})`;
    const message = `builder node${down.nodes.length > 1 ? 's' : ''} ${nodes} ${down.nodes.length > 1 ? 'are' : 'is'} down (${cause}): ${what}`;
    return { outcome, error: new BuildFailed(message, nodeHint(down.builder, down.nodes[0]!), exitCode) };
  }
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

/** buildx's last error line: a node that does not answer is `context deadline exceeded`. */
function lastError(stderr: string): string {
  const errors = [...stderr.matchAll(/ERROR: (.*)$/gm)].map((m) => m[1]!.trim());
  return errors.at(-1) ?? 'buildx could not reach it';
}

function nodeHint(builder: string, n: BuilderNode): string {
  return `start its buildkitd again and run the same command (what finished is in the cache), or take it out of the builder (\`docker buildx create --name ${builder} --leave --node ${n.name}\`) and the other nodes build its platforms`;
}
