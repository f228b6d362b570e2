import { describe, expect, it } from 'vitest';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileOk, emit, writeTemp } from '../../support/compile.js';

// matrix/vllm.toml, vLLM's layout: for each cell, the args buildx prints are the ones vLLM's own
// build scripts pass (`--build-arg max_jobs=... --build-arg CUDA_VERSION=... --build-arg
// USE_SCCACHE=1 --build-arg SCCACHE_BUCKET_NAME=... --build-arg SCCACHE_REGION_NAME=...`).

describe.skipIf(!BUILDX)('matrix/vllm.toml, as vLLM builds its images', () => {
  it("passes each cell the args vLLM's build script passes, in vLLM's names", async () => {
    const compiled = await compileOk('matrix/vllm.toml');
    const file = writeTemp('docker-bake.hcl', emit(compiled, 'hcl'));
    const p = bakePrint(file, ['all'], { USE_SCCACHE: 'true', MAX_JOBS: '16', GIT_SHA: 'abc1234' });
    expect(p.target['build-cu129']!.args).toEqual({
      PYTHON_VERSION: '3.12',
      CUDA_VERSION: '12.9.1',
      max_jobs: '16',
      nvcc_threads: '8',
      USE_SCCACHE: '1',
      SCCACHE_BUCKET_NAME: 'vllm-build-sccache',
      SCCACHE_REGION_NAME: 'us-west-2',
    });
    expect(p.target['build-cu130']!.args).toMatchObject({ CUDA_VERSION: '13.0.1', USE_SCCACHE: '1' });
    // CUDA 13's kernel list is the base's only; CUDA 12.9 keeps the Dockerfile's default.
    expect(p.target['base-cu130']!.args).toEqual({ PYTHON_VERSION: '3.12', CUDA_VERSION: '13.0.1', torch_cuda_arch_list: '8.0 8.9 9.0 10.0 12.0' });
    expect(p.target['base-cu129']!.args).toEqual({ PYTHON_VERSION: '3.12', CUDA_VERSION: '12.9.1' });
    expect(p.target['vllm-openai-cu129']!.args).toEqual({ PYTHON_VERSION: '3.12', CUDA_VERSION: '12.9.1', VLLM_COMMIT_SHA: 'abc1234' });
    expect(p.target['vllm-openai-cu129']!.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    // Without USE_SCCACHE no sccache arg at all, and no secret.
    const off = bakePrint(file, ['build-cu129'], {});
    expect(Object.keys(off.target['build-cu129']!.args as object).filter((k) => /SCCACHE/.test(k))).toEqual([]);
    expect(off.target['build-cu129']!.secret ?? []).toEqual([]);
  });
});
