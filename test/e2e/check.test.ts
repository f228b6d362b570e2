import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../support/cli-build.js';
import { repoCopy } from '../support/repo-copy.js';
import { requireServices } from '../support/services.js';

// `matrixbake check`: BuildKit's own Dockerfile checks (`--call=check`) on every target, the
// linked ones included (each link reads an empty stub image). Judged by the builder the
// services script starts (scripts/services.sh: "matrixbake").

const BUILDER = 'matrixbake';
const HAVE = requireServices() && builderExists();
const cli = cliRunner();
const check = (args: string[], cwd?: string) => cli(['check', ...args], { BUILDX_BUILDER: BUILDER }, cwd);

function builderExists(): boolean {
  try {
    execFileSync('docker', ['buildx', 'inspect', BUILDER], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error(`CI=true needs the buildx builder "${BUILDER}" (bash scripts/services.sh up)`);
    return false;
  }
}

describe.runIf(HAVE)('matrixbake check', () => {
  it('checks every target of the demo, linked ones included, and lists what the matrix accepts', () => {
    const r = check(['matrix/demo.toml']);
    expect(r.status, r.stderr).toBe(0);
    // 5 bases and wheels per CUDA x arch ..., every one with its links read as the stub.
    expect(r.stdout).toMatch(
      /^matrix\/demo\.toml: BuildKit's checks pass on 32 targets \(101 links read as an empty stub image\), 2 findings accepted on purpose:\n/,
    );
    expect(r.stdout).toContain(
      'check.SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "SCCACHE_S3_KEY_PREFIX") (5 targets: backend-sglang-cuda12,',
    );
  });

  it('finds a problem in a target that links others, with the Dockerfile line and the targets', () => {
    const repo = repoCopy(['matrix/demo.toml', 'dockerfiles/demo/Dockerfile', 'dockerfiles/demo/Dockerfile.framework', '.dockerignore']);
    repo.edit('dockerfiles/demo/Dockerfile.framework', (t) => t.replace('FROM busybox AS runtime', 'FROM busybox as runtime'));
    const r = check([repo.file('matrix/demo.toml'), 'runtime'], repo.root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^matrixbake: 1 finding from BuildKit's checks of 10 targets of .*matrix\/demo\.toml \(\d+ links read as an empty stub image\)$/m);
    expect(r.stderr).toMatch(
      /^dockerfiles\/demo\/Dockerfile\.framework:29: check\.FromAsCasing: .* \(10 targets: runtime-sglang-cuda12-amd64, runtime-sglang-cuda12-arm64, runtime-sglang-cuda13-amd64, \.\.\.\) \(hint: https:\/\/docs\.docker\.com\/go\/dockerfile\/rule\/from-as-casing\/\)$/m,
    );
  });

  it('runs offline on the Dynamo matrix: every registry image a FROM names reads the stub too', () => {
    const r = check(['matrix/dynamo.toml', '--offline']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^matrix\/dynamo\.toml: BuildKit's checks pass on 29 targets \(85 links and 6 registry images read as an empty stub image\)\n$/);
  });

  it('says when an accepted finding is gone (checking every target)', () => {
    const repo = repoCopy(['matrix/demo.toml', 'dockerfiles/demo/Dockerfile', 'dockerfiles/demo/Dockerfile.framework', '.dockerignore']);
    repo.edit('matrix/demo.toml', (t) => t.replace('contains = "SCCACHE_S3_KEY_PREFIX"', 'contains = "SCCACHE_S3_KEY_PREFIXES"'));
    const r = check([repo.file('matrix/demo.toml')], repo.root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/lint\.accept\[0\]: accepts no finding \(key check\.SecretsUsedInArgOrEnv, "SCCACHE_S3_KEY_PREFIXES"\)/);
    expect(r.stderr).toMatch(/dockerfiles\/demo\/Dockerfile:\d+: check\.SecretsUsedInArgOrEnv: .*\(4 targets: wheel-cuda12-amd64/);
  });
});
