import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { formatFinding } from '../../../src/lint/finding.js';
import { lintPlan } from '../../../src/lint/lint-plan.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileOk, compileText, emit, writeTemp } from '../../support/compile.js';
import { repoCopy } from '../../support/repo-copy.js';

// Named contexts that are no stage: TensorRT-LLM's wheel directory (its build script passes
// `--build-context trtllm_wheel=<dir>`), an image, an OCI layout. test/fixtures/matrices/contexts.toml
// is built on a real BuildKit in test/e2e/demo.test.ts.

const MATRIX = 'test/fixtures/matrices/contexts.toml';
const FILES = [MATRIX, 'test/fixtures/contexts', 'dockerfiles/demo/Dockerfile'];

/** A framework axis whose trtllm value reads a wheel directory, as TensorRT-LLM's Dockerfile does. */
const perValue = (contexts: string, stageContexts = '') => `
[project]
image = "dynamo"

[matrix]
framework = ["vllm", "trtllm"]

[axis.framework.values.vllm]
dockerfile = "Dockerfile.vllm"

[axis.framework.values.trtllm]
dockerfile = "Dockerfile.trtllm"
contexts = { ${contexts} }

[stage.base]
dockerfile = "Dockerfile"

[stage.runtime]
axes = ["framework"]
uses = { base = "base" }
${stageContexts}
`;

async function refused(toml: string): Promise<string[]> {
  const { result } = await compileText(toml);
  if (result.ok) throw new Error('compiled');
  return result.errors.map((d) => formatDiagnostic({ ...d, file: 'm.toml' }));
}

describe('contexts that are no stage', () => {
  it.skipIf(!BUILDX)("go into bake's contexts as written, next to the stage links, for the targets of their key only (buildx --print)", async () => {
    const { result } = await compileText(perValue('trtllm_wheel = "build/trtllm_wheel", pytorch = "docker-image://nvcr.io/nvidia/pytorch:25.10-py3"'));
    if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
    const p = bakePrint(writeTemp('docker-bake.hcl', emit(result.value, 'hcl')), ['all']);
    expect(p.target['runtime-trtllm']!.contexts).toEqual({
      base: 'target:base',
      trtllm_wheel: 'build/trtllm_wheel',
      pytorch: 'docker-image://nvcr.io/nvidia/pytorch:25.10-py3',
    });
    expect(p.target['runtime-vllm']!.contexts).toEqual({ base: 'target:base' });
  });

  it('lint follows them: clean when the Dockerfile reads them and they exist', async () => {
    expect((await lintPlan((await compileOk(MATRIX)).plan, '.')).map(formatFinding)).toEqual([]);
  });

  it('lint names a directory or OCI layout that is not there, at the matrix line that names it', async () => {
    const repo = repoCopy(FILES);
    repo.edit(MATRIX, (t) => t.replace('"test/fixtures/contexts/wheel"', '"build/trtllm_wheel"').replace('contexts/layout:1', 'contexts/wheel:1'));
    const found = (await lintPlan((await compileOk(repo.file(MATRIX))).plan, repo.root)).map(formatFinding);
    const line =
      readFileSync(repo.file(MATRIX), 'utf8')
        .split('\n')
        .findIndex((l) => l.startsWith('contexts =')) + 1;
    expect(found).toEqual([
      `${repo.file(MATRIX)}:${line}: stage.tool.contexts.notice: named context "notice": "test/fixtures/contexts/wheel" is no OCI layout (no index.json) (paths are relative to the repo root ${repo.root}), so the bake would fail (hint: write the layout there first (e.g. docker buildx build --output type=oci,tar=false,dest=<dir>), or fix the path)`,
      `${repo.file(MATRIX)}:${line}: stage.tool.contexts.trtllm_wheel: named context "trtllm_wheel": directory "build/trtllm_wheel" does not exist (paths are relative to the repo root ${repo.root}), so the bake would fail (hint: create it before the build (bake sends its files to BuildKit), or fix the path)`,
    ]);
  });

  it('lint names a context the Dockerfile never reads', async () => {
    const repo = repoCopy(FILES);
    repo.edit('test/fixtures/contexts/Dockerfile', (t) => t.replace('COPY --from=notice /notice.txt /opt/notice.txt\n', ''));
    const found = (await lintPlan((await compileOk(repo.file(MATRIX))).plan, repo.root)).map(formatFinding);
    expect(found).toEqual([
      expect.stringMatching(
        /^test\/fixtures\/contexts\/Dockerfile:3: stage\.tool\.contexts\.notice: named context "notice" \(oci-layout:\/\/test\/fixtures\/contexts\/layout:1\) is never read by FROM, COPY --from or RUN --mount from= in stage "tool"/,
      ),
    ]);
  });

  it('refuses a stage, a URL, a path out of the repository, a bad image reference, and one name from two keys', async () => {
    expect(await refused(perValue('trtllm_wheel = "base"'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.trtllm_wheel: "base" is a stage: contexts are directories, images and OCI layouts (hint: link the stage with uses = { trtllm_wheel = "base" })',
    ]);
    expect(await refused(perValue('trtllm_wheel = "https://example.com/wheel.tar"'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.trtllm_wheel: "https://example.com/wheel.tar" is a URL: contexts here are directories, docker-image:// and oci-layout:// (hint: fetch it into a directory of the repository before the build, or pass it at bake time with --set <target>.contexts.<name>=<url>)',
    ]);
    expect(await refused(perValue('trtllm_wheel = "/tmp/trtllm_wheel_context"'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.trtllm_wheel: "/tmp/trtllm_wheel_context" is absolute; paths are relative to the repo root (hint: use a directory inside the repository (e.g. build/trtllm_wheel); a path outside it can be given at bake time: matrixbake bake -- --set \'<target>.contexts.trtllm_wheel=/tmp/trtllm_wheel_context\')',
    ]);
    expect(await refused(perValue('pytorch = "docker-image://nvcr.io/NVIDIA/pytorch:25.10-py3"'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.pytorch: "nvcr.io/NVIDIA/pytorch:25.10-py3" is not an image reference (hint: write docker-image://<registry>/<repository>[:tag][@sha256:<digest>], lowercase, e.g. docker-image://nvcr.io/nvidia/pytorch:25.10-py3)',
    ]);
    expect(await refused(perValue('wheel = "build/a"', 'contexts = { wheel = "build/b" }'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.wheel: named context "wheel" of stage runtime is also given by stage.runtime.contexts.wheel (hint: give each context in one place)',
    ]);
    expect(await refused(perValue('base = "build/base"'))).toEqual([
      'm.toml: axis.framework.values.trtllm.contexts.base: named context "base" is also in stage.runtime.uses (hint: one name is one context: keep the stage link or the source)',
    ]);
  });
});
