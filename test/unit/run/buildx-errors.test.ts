import { describe, expect, it } from 'vitest';
import { explainBuildxError } from '../../../src/run/buildx-errors.js';
import { installedFrom, setupHints } from '../../../src/run/setup-hints.js';
import { BUILDX } from '../../support/buildx.js';
import { cliRunner } from '../../support/cli-build.js';

// When buildx cannot start a build at all, matrixbake ends with one line that says what to run.

describe('buildx errors, translated', () => {
  it('recognises what buildx says, and nothing else', () => {
    expect(explainBuildxError('ERROR: no builder "ci" found')?.message).toBe('buildx has no builder "ci"');
    expect(explainBuildxError('ERROR: failed to find target base-cuda14')?.message).toBe('no target or group "base-cuda14" in the bake file');
    expect(explainBuildxError('ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2')).toBeUndefined();
  });

  // What to set up depends on how matrixbake was installed: this repository has scripts for it, a
  // user of the npm package has docker buildx's own commands (test/unit/repo/package.test.ts runs one).
  it('says what this repository runs, when run from it', () => {
    expect(installedFrom()).toBe('source');
    expect(explainBuildxError('ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock')?.hint).toMatch(
      /^run `bash scripts\/services\.sh up`/,
    );
  });

  it('says what to install and create to a user of the npm package, and nothing of this repository', () => {
    const hints = setupHints('package');
    expect(explainBuildxError('ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock', hints)?.hint).toBe(
      'start Docker, or create a builder on a buildkitd of your own (`docker buildx create --name matrixbake --driver remote tcp://<host>:<port>`) and set BUILDX_BUILDER=matrixbake',
    );
    expect(explainBuildxError('ERROR: no builder "ci" found', hints)?.hint).toBe(
      '`docker buildx ls` lists builders; `docker buildx create --name ci --driver docker-container --bootstrap` creates one on Docker',
    );
    expect(hints.installBuildx).toMatch(/^install Docker with its buildx plugin, or the buildx binary as ~\/\.docker\/cli-plugins\/docker-buildx /);
    for (const hint of [hints.installBuildx, hints.startBuilder, hints.unknownBuilder('x'), hints.restartBuildkitd]) {
      expect(hint).not.toMatch(/make |Makefile|scripts\/|this repository/);
    }
  });

  describe.runIf(BUILDX)('through the CLI, with real buildx', () => {
    const cli = cliRunner();
    const lastLine = (s: string) => s.trim().split('\n').at(-1);

    it('no Docker daemon and no builder named: says how to start one', () => {
      const r = cli(['bake', 'matrix/demo.toml', 'base-cuda12'], { BUILDX_BUILDER: '', DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
      expect(r.status).toBe(1);
      expect(lastLine(r.stderr)).toMatch(/^matrixbake: no builder to run on: .* \(hint: run `bash scripts\/services\.sh up`.*BUILDX_BUILDER=matrixbake/);
    });

    it('an unknown builder: names it and how to list builders', () => {
      const r = cli(['bake', 'matrix/demo.toml', 'base-cuda12'], { BUILDX_BUILDER: 'no-such-builder' });
      expect([r.status, lastLine(r.stderr)]).toEqual([
        1,
        'matrixbake: buildx has no builder "no-such-builder" (hint: `docker buildx ls` lists builders; `bash scripts/services.sh up` creates "matrixbake")',
      ]);
    });
  });
});
