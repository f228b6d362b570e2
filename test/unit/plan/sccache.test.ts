import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileText, emit, writeTemp } from '../../support/compile.js';

// [sccache] in the Dockerfile's own dialect: vLLM's docker/Dockerfile reads SCCACHE_BUCKET_NAME
// and SCCACHE_REGION_NAME and tests `[ "$USE_SCCACHE" = "1" ]`; its build scripts pass
// `--build-arg USE_SCCACHE=1 --build-arg SCCACHE_BUCKET_NAME=<bucket> --build-arg
// SCCACHE_REGION_NAME=<region>` and no key prefix. Judged by real buildx's --print.

const matrix = (sccache: string) => `
[project]
image = "vllm"

[matrix]
cuda = ["12"]

[stage.build]
dockerfile = "Dockerfile"
axes = ["cuda"]

[stage.runtime]
dockerfile = "Dockerfile"
axes = ["cuda"]
sccache = false
uses = { build = "build" }

[sccache]
bucket = "vllm-build-sccache"
region = "us-west-2"
${sccache}
`;

async function printed(sccache: string, vars: Record<string, string>) {
  const { result } = await compileText(matrix(sccache));
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  const file = writeTemp('docker-bake.hcl', emit(result.value, 'hcl'));
  const p = bakePrint(file, ['build-12', 'runtime-12'], vars);
  return { build: (p.target['build-12']!.args ?? {}) as Record<string, string>, runtime: (p.target['runtime-12']!.args ?? {}) as Record<string, string> };
}

const sccacheKeys = (args: Record<string, string>) => Object.fromEntries(Object.entries(args).filter(([k]) => /SCCACHE/.test(k)));

describe.skipIf(!BUILDX)("[sccache] in the Dockerfile's own names", () => {
  it("passes vLLM's args, as its build script does, only when USE_SCCACHE is on", async () => {
    const vllm = 'on = "1"\nargs = { bucket = "SCCACHE_BUCKET_NAME", region = "SCCACHE_REGION_NAME", key_prefix = "" }';
    const on = await printed(vllm, { USE_SCCACHE: 'true' });
    expect(sccacheKeys(on.build)).toEqual({ USE_SCCACHE: '1', SCCACHE_BUCKET_NAME: 'vllm-build-sccache', SCCACHE_REGION_NAME: 'us-west-2' });
    // A stage with sccache = false gets none of them.
    expect(sccacheKeys(on.runtime)).toEqual({});
    const off = await printed(vllm, {});
    expect(sccacheKeys(off.build)).toEqual({});
  });

  it('keeps Dynamo\'s names and "true" when [sccache] names none', async () => {
    const on = await printed('', { USE_SCCACHE: 'true' });
    expect(sccacheKeys(on.build)).toEqual({
      USE_SCCACHE: 'true',
      SCCACHE_BUCKET: 'vllm-build-sccache',
      SCCACHE_REGION: 'us-west-2',
      SCCACHE_S3_KEY_PREFIX: 'vllm',
    });
  });
});
