import { readFileSync, symlinkSync } from 'node:fs';
import { lintCommand } from '../../../src/commands/lint.js';
import type { CheckFailed } from '../../../src/errors.js';
import { describe, expect, it } from 'vitest';
import { formatFinding } from '../../../src/lint/finding.js';
import { lintPlan } from '../../../src/lint/lint-plan.js';
import { compileOk } from '../../support/compile.js';
import { repoCopy } from '../../support/repo-copy.js';
import { MATRICES } from '../../support/matrices.js';

// `matrixbake lint`: the matrix and its Dockerfiles must agree. Each case breaks one thing in a
// copy of the demo and expects the one finding a user needs to fix it.

const DEMO = ['matrix/demo.toml', 'dockerfiles/demo/Dockerfile', 'dockerfiles/demo/Dockerfile.framework'];

async function lintCopy(edits: (repo: ReturnType<typeof repoCopy>) => void): Promise<string[]> {
  const repo = repoCopy(DEMO);
  edits(repo);
  const compiled = await compileOk(repo.file('matrix/demo.toml'));
  return (await lintPlan(compiled.plan, repo.root)).map(formatFinding);
}

describe('lint', () => {
  it('passes on the demo and on the Dynamo matrix, with nothing to accept', async () => {
    expect(await lintPlan((await compileOk('matrix/demo.toml')).plan, '.')).toEqual([]);
    expect(await lintPlan((await compileOk('matrix/dynamo.toml')).plan, '.')).toEqual([]);
  });

  it.each([...MATRICES, 'bench/bench.toml'])('passes on %s: what it finds is accepted there, each with a reason', async (file) => {
    const out = await lintCommand({ matrix: file, warn: () => {} });
    expect(out).toMatch(/Dockerfiles? agrees? with \d+ targets/);
    for (const line of out.split('\n').filter((l) => l.startsWith('  accepted'))) expect(line).toMatch(/^ {2}accepted \(lint\.accept\[\d+\]: .{10,}\): /);
  });

  it('catches a renamed stage', async () => {
    const found = await lintCopy((r) => r.edit('dockerfiles/demo/Dockerfile.framework', (t) => t.replace('AS runtime', 'AS runtme')));
    expect(found).toContainEqual(
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile\.framework:1: stage\.runtime\.target: stage "runtime" is not in dockerfiles\/demo\/Dockerfile\.framework \(did you mean "runtme"\?\)/,
      ),
    );
  });

  it('catches an arg the matrix passes that the Dockerfile does not declare', async () => {
    const found = await lintCopy((r) => r.edit('dockerfiles/demo/Dockerfile', (t) => t.replace('ARG NIXL_REF=0.0.0\n', '')));
    expect(found).toEqual([
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile:\d+: stage\.wheel\.args\.NIXL_REF: build arg NIXL_REF is passed to stage "wheel-builder" but no ARG NIXL_REF is declared/,
      ),
    ]);
  });

  it('catches a named context the Dockerfile never reads', async () => {
    const found = await lintCopy((r) => r.edit('dockerfiles/demo/Dockerfile.framework', (t) => t.replace(/COPY --from=backend .*\n/g, '')));
    expect(found).toEqual([
      expect.stringMatching(/^dockerfiles\/demo\/Dockerfile\.framework:\d+: stage\.runtime\.uses\.backend: named context "backend" is never read/),
    ]);
  });

  it('catches a uses name the Dockerfile spells differently', async () => {
    const found = await lintCopy((r) => r.edit('matrix/demo.toml', (t) => t.replace('uses = { dynamo-base = "base" }', 'uses = { dynamo_base = "base" }')));
    expect(found).toContainEqual(expect.stringMatching(/stage\.backend\.uses\.dynamo_base: named context "dynamo_base" is never read/));
  });

  it('catches a secret mount in a stage that never gets the secret', async () => {
    const found = await lintCopy((r) =>
      r.edit('dockerfiles/demo/Dockerfile.framework', (t) =>
        t.replace(
          'RUN sleep "$WORK_SECONDS" && \\\n    echo "stage=ci',
          'RUN --mount=type=secret,id=aws-key-id,env=K sleep "$WORK_SECONDS" && \\\n    echo "stage=ci',
        ),
      ),
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile\.framework:\d+: stage\.ci\.sccache: RUN mounts secret "aws-key-id" but the bake target never provides it.*stage\.ci\.sccache is false/,
      ),
    ]);
  });

  it('catches an ARG that carries a credential', async () => {
    const found = await lintCopy((r) => r.edit('dockerfiles/demo/Dockerfile', (t) => t.replace('ARG NIXL_REF=0.0.0\n', 'ARG NIXL_REF=0.0.0\nARG HF_TOKEN\n')));
    expect(found).toEqual([
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile:\d+: Dockerfile dockerfiles\/demo\/Dockerfile: ARG HF_TOKEN looks like a credential.*RUN --mount=type=secret/,
      ),
    ]);
  });

  it("reads a 0/1 switch about credentials as a flag, not a credential (vLLM's SCCACHE_S3_NO_CREDENTIALS=0)", async () => {
    const found = await lintCopy((r) =>
      r.edit('dockerfiles/demo/Dockerfile', (t) =>
        t.replace('ARG NIXL_REF=0.0.0\n', 'ARG NIXL_REF=0.0.0\nARG SCCACHE_S3_NO_CREDENTIALS=0\nARG USE_HF_TOKEN\nARG HF_TOKEN_ON=1\n'),
      ),
    );
    // HF_TOKEN_ON has no switch word: its name says token, whatever its value.
    expect(found).toEqual([expect.stringMatching(/ARG HF_TOKEN_ON looks like a credential/)]);
  });

  it("catches an ARG whose default is an arch when nothing sets it for the other arch (Dynamo's ARCH=amd64, ARCH_ALT=x86_64)", async () => {
    // The demo sets both for arm64 with a [[when]]; without it the arm64 wheels would get amd64's.
    const found = await lintCopy((r) =>
      r.edit('matrix/demo.toml', (t) =>
        t.replace(/\[\[when\]\]\narch = "arm64"\nstages = \["wheel"\]\nargs = \{ ARCH = "arm64", ARCH_ALT = "aarch64" \}\n/, ''),
      ),
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile:\d+: stage\.wheel: ARG ARCH defaults to "amd64", an arch, and nothing sets it for arm64: the arm64 image gets amd64's value \(hint: set it per arch \(\[axis\.arch\.values\.arm64\] args = \{ ARCH = "\.\.\." \}\), or derive it from ARG TARGETARCH/,
      ),
      expect.stringMatching(
        /^dockerfiles\/demo\/Dockerfile:\d+: stage\.wheel: ARG ARCH_ALT defaults to "x86_64", an arch, and nothing sets it for arm64: the arm64 image gets x86_64's value/,
      ),
    ]);
  });

  it('accepts a finding the matrix accepts with a reason, and says so; an entry that accepts nothing is a finding', async () => {
    const repo = repoCopy(DEMO);
    repo.edit('dockerfiles/demo/Dockerfile', (t) => t.replace('ARG NIXL_REF=0.0.0\n', ''));
    const accept =
      '\n[[lint.accept]]\nkey = "stage.wheel.args.NIXL_REF"\nfile = "dockerfiles/demo/Dockerfile"\nreason = "read from the environment by a script lint cannot follow"\n';
    repo.edit('matrix/demo.toml', (t) => t + accept);
    const out = await lintCommand({ matrix: repo.file('matrix/demo.toml'), warn: () => {} });
    expect(out).toMatch(
      /with 20 targets, 1 finding accepted on purpose:\n {2}accepted \(lint\.accept\[1\]: read from the environment by a script lint cannot follow\): dockerfiles\/demo\/Dockerfile:\d+: stage\.wheel\.args\.NIXL_REF: build arg NIXL_REF is passed/,
    );
    // (lint.accept[0] is the demo's own, for `matrixbake check`.) The Dockerfile declares it
    // again: the entry accepts nothing, and lint says where it is.
    repo.edit('dockerfiles/demo/Dockerfile', (t) => t.replace('FROM busybox AS wheel-builder\n', 'FROM busybox AS wheel-builder\nARG NIXL_REF=0.0.0\n'));
    const line = readFileSync(repo.file('matrix/demo.toml'), 'utf8').split('\n').lastIndexOf('[[lint.accept]]') + 1;
    const stale = await lintCommand({ matrix: repo.file('matrix/demo.toml'), warn: () => {} }).then(
      () => undefined,
      (e: CheckFailed) => e.details,
    );
    expect(stale).toEqual([
      `${repo.file('matrix/demo.toml')}:${line}: lint.accept[1]: accepts no finding (key stage.wheel.args.NIXL_REF, file dockerfiles/demo/Dockerfile): what it was for is gone or reads differently now (hint: remove the entry, or match the finding lint prints now)`,
    ]);
  });

  it('refuses a Dockerfile that is a symlink out of the repository', async () => {
    const found = await lintCopy((r) => {
      r.edit('matrix/demo.toml', (t) => t.replaceAll('dockerfiles/demo/Dockerfile"', 'dockerfiles/demo/Outside"'));
      symlinkSync('/etc/hostname', r.file('dockerfiles/demo/Outside'));
    });
    expect(found).toEqual([
      expect.stringMatching(
        /^dockerfiles\/demo\/Outside:1: stage\.busybox\.dockerfile: Dockerfile "dockerfiles\/demo\/Outside" resolves to \/etc\/hostname, outside the repository/,
      ),
    ]);
  });

  it('follows a stage picked by TARGETARCH', async () => {
    const found = await lintCopy((r) =>
      r.edit('dockerfiles/demo/Dockerfile', (t) =>
        t
          .replace(
            'FROM busybox AS wheel-builder\n',
            'FROM busybox AS tools-amd64\nARG NIXL_REF\nFROM busybox AS tools-arm64\nARG NIXL_REF\nFROM tools-${TARGETARCH} AS wheel-builder\n',
          )
          .replace('ARG NIXL_REF=0.0.0\n', ''),
      ),
    );
    expect(found).toEqual([]);
  });
});
