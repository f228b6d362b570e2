import { daemonLost } from './buildx-errors.js';

// A push that the registry fails half-way (a reset connection, a 5xx, or the local registry's
// "provided digest did not match uploaded content" when an image export and a cache export
// upload the same blob at once) says nothing about the build: everything up to the push is in
// BuildKit's cache, so running the same bake again costs the push alone.

export interface Ran {
  exitCode: number;
  stderr: string;
}

const TRANSIENT_PUSH = /failed to push|failed to copy:|unexpected status from (PUT|POST|PATCH|HEAD) request.*: 5\d\d|connection reset by peer|i\/o timeout/;

/** Whether a failed buildx run ended on a registry write that may succeed when tried again. */
export function transientPushFailure(r: Ran): boolean {
  // A buildkitd that went away also resets connections; running again would only fail on it.
  if (r.exitCode === 0 || daemonLost(r.stderr)) return false;
  const errors = r.stderr.split('\n').filter((l) => /^ERROR:|^error:/i.test(l.trim()));
  return errors.length > 0 && errors.every((l) => TRANSIENT_PUSH.test(l));
}

/** Runs once more, after saying why, when the first run failed on a transient push. */
export async function retryTransientPush<R extends Ran>(run: () => Promise<R>, say: (line: string) => void): Promise<R> {
  const first = await run();
  if (!transientPushFailure(first)) return first;
  say('matrixbake: the registry failed a push (see above); running the same bake once more (built steps come from cache)');
  return run();
}
