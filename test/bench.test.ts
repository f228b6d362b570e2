import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineBuilds } from '../bench/baseline.js';
import { changedNodes, criticalPathSeconds, dockerfileSteps } from '../bench/builds.js';
import { figure, ratio } from '../bench/stats.js';
import { compileOk, compileText } from './support/compile.js';

// The bench's arithmetic, without building: what the figures are computed from (the harness
// itself runs for real in test/e2e/bench.test.ts).

describe('bench model', () => {
  it('knows the critical path of the bench matrix: max(base + backend, wheel) + runtime + ci', async () => {
    const plan = (await compileOk('bench/bench.toml')).plan;
    expect(criticalPathSeconds(plan)).toBe(8 + 14 + 4 + 2);
  });

  it('expects a changed framework ref to rebuild that framework\'s backends, runtimes and ci images only', async () => {
    const before = (await compileOk('bench/bench.toml')).plan;
    const text = readFileSync('bench/bench.toml', 'utf8').replace('FRAMEWORK_REF = "v0.12.0"', 'FRAMEWORK_REF = "v0.12.1"');
    const { result } = await compileText(text);
    if (!result.ok) throw new Error('the changed matrix compiles');
    expect(changedNodes(before, result.value.plan).sort()).toEqual(['backend-vllm-cuda12', 'backend-vllm-cuda13', 'ci-vllm-cuda12', 'ci-vllm-cuda13', 'runtime-vllm-cuda12', 'runtime-vllm-cuda13']);
  });

  it('makes the build.sh baseline: one call per published image, each framework file its own base copy', async () => {
    const plan = (await compileOk('bench/bench.toml')).plan;
    const builds = baselineBuilds(plan, process.cwd(), mkdtempSync(join(tmpdir(), 'mb-baseline-')));
    expect(builds.map((b) => `${b.framework}/${b.args.CUDA_VERSION}/${b.target}`)).toEqual([
      'sglang/12.9.1/runtime', 'sglang/12.9.1/ci', 'sglang/13.0.1/runtime', 'sglang/13.0.1/ci',
      'trtllm/13.0.1/runtime', 'trtllm/13.0.1/ci',
      'vllm/12.9.1/runtime', 'vllm/12.9.1/ci', 'vllm/13.0.1/runtime', 'vllm/13.0.1/ci',
    ]);
    const vllm = readFileSync(builds.find((b) => b.framework === 'vllm')!.dockerfile, 'utf8');
    expect(vllm).toMatch(/^FROM busybox AS dynamo-base\nARG FRAMEWORK$/m);
    expect(vllm).toMatch(/^FROM dynamo-base AS backend$/m);
    // Each stage's work is the bench's duration for it, not a build arg.
    expect(vllm.match(/^ARG WORK_SECONDS=\d+$/gm)).toEqual(['ARG WORK_SECONDS=8', 'ARG WORK_SECONDS=10', 'ARG WORK_SECONDS=14', 'ARG WORK_SECONDS=4', 'ARG WORK_SECONDS=2']);
    expect(builds[0]!.args).toMatchObject({ FRAMEWORK: 'sglang', FRAMEWORK_REF: 'v0.5.6', NIXL_REF: '0.7.1', PYTHON_VERSION: '3.12' });
    expect(builds[0]!.args.WORK_SECONDS).toBeUndefined();
  });

  it('counts Dockerfile steps that do work, and which came from cache', () => {
    const v = (name: string, cached = false) => ({ digest: name, name, cached, completed: '2026-11-23T00:00:00Z' });
    expect(dockerfileSteps([v('[runtime 2/5] COPY --from=backend /a /b', true), v('[backend 1/2] RUN sleep 1'), v('[internal] load build definition from Dockerfile', true), v('exporting to image')])).toEqual({ cached: 1, all: 2 });
  });

  it('reports medians with their spread, ratios pairwise', () => {
    expect(figure([3, 1, 2])).toEqual({ value: 2, samples: [3, 1, 2], spread: 1 });
    expect(ratio([10, 20, 30], [10, 10, 10]).value).toBe(2);
  });
});
