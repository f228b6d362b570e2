import { describe, expect, it } from 'vitest';
import { explainBuildxError } from '../src/run/buildx-errors.js';
import { BUILDX } from './support/buildx.js';
import { privateCli } from './support/cli-build.js';

// When buildx cannot start a build at all, matrixbake ends with one line that says what to run.

describe('buildx errors, translated', () => {
  it('recognises what buildx says, and nothing else', () => {
    expect(explainBuildxError('ERROR: no builder "ci" found')?.message).toBe('buildx has no builder "ci"');
    expect(explainBuildxError('ERROR: failed to find target base-cuda14')?.message).toBe('no target or group "base-cuda14" in the bake file');
    expect(explainBuildxError('ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2')).toBeUndefined();
  });

  describe.runIf(BUILDX)('through the CLI, with real buildx', () => {
    const cli = privateCli('buildx-errors');
    const lastLine = (s: string) => s.trim().split('\n').at(-1);

    it('no Docker daemon and no builder named: says how to start one', () => {
      const r = cli(['bake', 'matrix/demo.toml', 'base-cuda12'], { BUILDX_BUILDER: '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      expect(r.status).toBe(1);
      expect(lastLine(r.stderr)).toMatch(/^matrixbake: no builder to run on: .* \(hint: run `bash scripts\/services\.sh up`.*BUILDX_BUILDER=matrixbake/);
    });

    it('an unknown builder: names it and how to list builders', () => {
      const r = cli(['bake', 'matrix/demo.toml', 'base-cuda12'], { BUILDX_BUILDER: 'no-such-builder' });
      expect([r.status, lastLine(r.stderr)]).toEqual([1, 'matrixbake: buildx has no builder "no-such-builder" (hint: `docker buildx ls` lists builders; `bash scripts/services.sh up` creates "matrixbake")']);
    });
  });
});
