import { describe, expect, it } from 'vitest';
import { retryTransientPush, transientPushFailure } from '../../../src/run/retry.js';

// A push the registry fails half-way is tried once more; a failed build never is.

const pushFailed = {
  exitCode: 1,
  stderr: [
    '#12 pushing layers',
    'ERROR: failed to solve: failed to push localhost:5000/c:link-runtime-vllm-cuda12-946c88ffc437: errors:',
    'unknown: provided digest did not match uploaded content',
  ].join('\n'),
};
const runFailed = { exitCode: 1, stderr: 'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2' };

describe('retry of transient pushes', () => {
  it('knows a failed push from a failed build', () => {
    expect(transientPushFailure(pushFailed)).toBe(true);
    expect(transientPushFailure(runFailed)).toBe(false);
    expect(transientPushFailure({ exitCode: 0, stderr: pushFailed.stderr })).toBe(false);
    expect(transientPushFailure({ exitCode: 1, stderr: 'killed' })).toBe(false);
    // buildkitd killed mid-push: the reset connection is the daemon's, not the registry's.
    expect(
      transientPushFailure({ exitCode: 1, stderr: 'ERROR: target base: failed to solve: Unavailable: connection error: read: connection reset by peer' }),
    ).toBe(false);
  });

  it('runs again once after a failed push, saying so, and never after a failed build', async () => {
    for (const [first, runs] of [
      [pushFailed, 2],
      [runFailed, 1],
    ] as const) {
      let n = 0;
      const said: string[] = [];
      const r = await retryTransientPush(
        async () => (n++ === 0 ? first : { exitCode: 0, stderr: '' }),
        (l) => said.push(l),
      );
      expect(n).toBe(runs);
      expect(r.exitCode).toBe(runs === 2 ? 0 : 1);
      expect(said).toHaveLength(runs - 1);
    }
  });

  it('gives up after the second failed push', async () => {
    let n = 0;
    const r = await retryTransientPush(
      async () => (n++, pushFailed),
      () => {},
    );
    expect([n, r.exitCode]).toEqual([2, 1]);
  });
});
