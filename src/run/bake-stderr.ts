// What a failed bake's output says of its targets: buildx names the failed ones in its errors,
// and resolves each finished target's provenance as it completes.

/** The targets buildx names in its error lines (`ERROR: target runtime-vllm-cuda12: failed to solve`). */
export function failedTargets(stderr: string): string[] {
  return [...new Set([...stderr.matchAll(/target ([A-Za-z0-9_-]+): failed/g)].map((m) => m[1]!))];
}

/**
 * Targets buildx's progress shows finished: it resolves each target's provenance for the metadata
 * file as that target's build completes. A bake of one target leaves the progress unprefixed.
 */
export function finishedTargets(stderr: string, runTargets: string[]): Set<string> {
  const done = new Set<string>();
  for (const m of stderr.matchAll(/^#\d+ (?:\[([A-Za-z0-9_-]+)\] )?resolving provenance for metadata file$/gm)) {
    if (m[1]) done.add(m[1]);
    else if (runTargets.length === 1) done.add(runTargets[0]!);
  }
  return done;
}
