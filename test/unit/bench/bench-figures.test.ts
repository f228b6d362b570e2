import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineBuilds } from '../../../bench/baseline.js';
import { bakePath, changedNodes, changedRefText, criticalPathSeconds, dockerfileSteps, hitRatio, leaves, refCheck, totalSteps } from '../../../bench/builds.js';
import { GOALS, markdown, MEANING, type Results } from '../../../bench/report.js';
import { BENCH_FILES, benchRepo, MATRIX_PATH } from '../../../bench/repo.js';
import { figure, ratio } from '../../../bench/stats.js';
import { compileOk, compileText } from '../../support/compile.js';

// The bench's arithmetic, without building: what the figures are computed from (the harness
// itself runs for real in test/e2e/bench.test.ts).

describe('bench model', () => {
  it('knows the critical path of the bench matrix: max(base + backend, wheel) + runtime + ci', async () => {
    const plan = (await compileOk('bench/bench.toml')).plan;
    expect(criticalPathSeconds(plan)).toBe(8 + 14 + 4 + 2);
  });

  it("expects a changed framework ref to rebuild that framework's backends, runtimes and ci images only", async () => {
    const before = (await compileOk('bench/bench.toml')).plan;
    const text = readFileSync('bench/bench.toml', 'utf8').replace('FRAMEWORK_REF = "v0.12.0"', 'FRAMEWORK_REF = "v0.12.1"');
    const { result } = await compileText(text);
    if (!result.ok) throw new Error('the changed matrix compiles');
    expect(changedNodes(before, result.value.plan).sort()).toEqual([
      'backend-vllm-cuda12',
      'backend-vllm-cuda13',
      'ci-vllm-cuda12',
      'ci-vllm-cuda13',
      'runtime-vllm-cuda12',
      'runtime-vllm-cuda13',
    ]);
  });

  it('makes the build.sh baseline: one call per published image, each framework file its own base copy', async () => {
    const plan = (await compileOk('bench/bench.toml')).plan;
    const builds = baselineBuilds(plan, process.cwd(), mkdtempSync(join(tmpdir(), 'mb-baseline-')));
    expect(builds.map((b) => `${b.framework}/${b.args.CUDA_VERSION}/${b.target}`)).toEqual([
      'sglang/12.9.1/runtime',
      'sglang/12.9.1/ci',
      'sglang/13.0.1/runtime',
      'sglang/13.0.1/ci',
      'trtllm/13.0.1/runtime',
      'trtllm/13.0.1/ci',
      'vllm/12.9.1/runtime',
      'vllm/12.9.1/ci',
      'vllm/13.0.1/runtime',
      'vllm/13.0.1/ci',
    ]);
    const vllm = readFileSync(builds.find((b) => b.framework === 'vllm')!.dockerfile, 'utf8');
    expect(vllm).toMatch(/^FROM busybox AS dynamo-base\nARG FRAMEWORK$/m);
    expect(vllm).toMatch(/^FROM dynamo-base AS backend$/m);
    // Each stage's work is the bench's duration for it, not a build arg.
    expect(vllm.match(/^ARG WORK_SECONDS=\d+$/gm)).toEqual([
      'ARG WORK_SECONDS=8',
      'ARG WORK_SECONDS=10',
      'ARG WORK_SECONDS=14',
      'ARG WORK_SECONDS=4',
      'ARG WORK_SECONDS=2',
    ]);
    expect(builds[0]!.args).toMatchObject({ FRAMEWORK: 'sglang', FRAMEWORK_REF: 'v0.5.6', NIXL_REF: '0.7.1', PYTHON_VERSION: '3.12' });
    expect(builds[0]!.args.WORK_SECONDS).toBeUndefined();
  });

  it('counts Dockerfile steps that do work, and which came from cache', () => {
    const v = (name: string, cached = false) => ({ digest: name, name, cached, completed: '2026-11-23T00:00:00Z' });
    expect(
      dockerfileSteps([
        v('[runtime 2/5] COPY --from=backend /a /b', true),
        v('[backend 1/2] RUN sleep 1'),
        v('[internal] load build definition from Dockerfile', true),
        v('exporting to image'),
      ]),
    ).toEqual({ cached: 1, all: 2 });
  });

  it('reports medians with their spread, ratios pairwise', () => {
    expect(figure([3, 1, 2])).toEqual({ value: 2, samples: [3, 1, 2], spread: 1 });
    expect(ratio([10, 20, 30], [10, 10, 10]).value).toBe(2);
  });

  it('builds the leaves one by one: the ci nodes, the ci twins, which between them cover every target', async () => {
    const plan = (await compileOk('bench/bench.toml')).plan;
    const ci = ['ci-vllm-cuda12', 'ci-vllm-cuda13', 'ci-sglang-cuda12', 'ci-sglang-cuda13', 'ci-trtllm-cuda13'];
    expect(leaves(plan, 'nodes').sort()).toEqual(ci.sort());
    expect(leaves(plan, 'twins').sort()).toEqual(ci.map((n) => `${n}-amd64`).sort());
  });

  it("changes one framework's pin in the matrix text, and says so when it cannot", async () => {
    const text = readFileSync('bench/bench.toml', 'utf8');
    const changed = changedRefText(text, 'vllm');
    expect(changed).toContain('FRAMEWORK_REF = "changed-v0.12.0"');
    expect(changed.replace('changed-', '')).toBe(text);
    const { result } = await compileText(changed);
    if (!result.ok) throw new Error('the changed matrix compiles');
    expect(changedNodes((await compileOk('bench/bench.toml')).plan, result.value.plan)).toHaveLength(6);
    expect(() => changedRefText(text, 'jax')).toThrow(/no \[axis.framework.values.jax\]/);
  });

  it('sums the steps of several builds into one hit ratio, and refuses a ratio of nothing', () => {
    const total = totalSteps([
      { cached: 13, all: 13 },
      { cached: 3, all: 13 },
    ]);
    expect(total).toEqual({ cached: 16, all: 26 });
    expect(hitRatio(total)).toBeCloseTo(16 / 26);
    expect(() => hitRatio({ cached: 0, all: 0 })).toThrow(/no Dockerfile step/);
  });

  it("finds main's cache refs a branch build rewrote, added or removed, and counts the branch's own", () => {
    const before = new Map([
      ['base-cuda12-amd64-main', 'sha256:a'],
      ['ci-vllm-cuda12-amd64-main', 'sha256:b'],
      ['wheel-cuda12-amd64-main', 'sha256:w'],
    ]);
    const untouched = new Map([...before, ['base-cuda12-amd64-feature-x', 'sha256:c']]);
    expect(refCheck(before, untouched, 'main', 'feature-x')).toEqual({ main_refs: 3, main_refs_rewritten: [], branch_refs_written: 1 });
    const touched = new Map([
      ['base-cuda12-amd64-main', 'sha256:z'],
      ['ci-vllm-cuda12-amd64-main', 'sha256:b'],
      ['runtime-vllm-cuda12-amd64-main', 'sha256:r'],
    ]);
    expect(refCheck(before, touched, 'main', 'feature-x').main_refs_rewritten).toEqual([
      'base-cuda12-amd64-main',
      'runtime-vllm-cuda12-amd64-main',
      'wheel-cuda12-amd64-main',
    ]);
  });

  it("reads which way a bake went from matrixbake's own line", () => {
    expect(bakePath('{"vertexes":[]}\nmatrixbake: levels: 20 per-arch targets in 5 levels, one bake per level\nlevel 0: busybox-amd64')).toEqual({
      path: 'levels',
      line: 'matrixbake: levels: 20 per-arch targets in 5 levels, one bake per level',
    });
    expect(bakePath('matrixbake: one bake: --one-bake: a builder without local state ...').path).toBe('one bake');
    expect(bakePath('#1 [internal] load build definition').path).toBeUndefined();
  });

  it('judges goals on the median, says how many repetitions met them when not all did, and explains every goal', () => {
    const r: Results = {
      machine: { commit: 'abc', cpus: 2, cpu_model: 'x', memory_gib: 1, node: 'v20', buildx: 'buildx', buildkitd: 'buildkitd' },
      reps: 3,
      quick: false,
      figures: {
        next_commit_fresh_hit_ratio: figure([1, 1, 0.9]),
        branch_first_build_hit_ratio: figure([1, 1, 1]),
        twin_from_node_cache_hit_ratio: figure([0.5, 0.6, 0.7]),
        changed_framework_next_commit_rebuilt_steps: figure([6, 7, 6]),
        changed_framework_next_commit_expected_steps: figure([6, 6, 6]),
        warm_over_cold: figure([0.04, 0.06, 0.2]),
      },
      seconds: {},
      detail: [],
    };
    const md = markdown(r, '');
    expect(md).toContain('| `next_commit_fresh_hit_ratio` | 1 | 0.1 | 1, 1, 0.9 | 1.0 | met (2 of 3) |');
    expect(md).toContain('| `branch_first_build_hit_ratio` | 1 | 0 | 1, 1, 1 | 1.0 | met |');
    expect(md).toContain('| `twin_from_node_cache_hit_ratio` | 0.6 | 0.333 | 0.5, 0.6, 0.7 | 1.0 | **not met** |');
    expect(md).toContain('| `changed_framework_next_commit_rebuilt_steps` | 6 | 0.167 | 6, 7, 6 | = expected | met (2 of 3) |');
    expect(md).toContain('| `warm_over_cold` | 0.06 | 2.667 | 0.04, 0.06, 0.2 | <= 0.1 with 2x margin (<= 0.05) | **not met** (1 of 3) |');
    expect(md).toContain('- `next_commit_fresh_hit_ratio`: commit B (= A + a file no target reads)');
    for (const name of Object.keys(GOALS).filter((n) => !n.startsWith('compile_'))) expect(MEANING[name], name).toBeDefined();
  });

  it('judges start-up against its goals, and says when those figures ran on their own', () => {
    const machine = { commit: 'abc', cpus: 2, cpu_model: 'x', memory_gib: 1, node: 'v20', buildx: 'buildx', buildkitd: 'buildkitd' };
    const r: Results = {
      machine,
      reps: 3,
      quick: false,
      figures: { compile_dynamo_ms: figure([150, 160, 210]), compile_10k_cells_ms: figure([650, 590, 600]) },
      seconds: {},
      detail: [],
      startup: { machine: { ...machine, commit: 'def' }, reps: 3, quick: false },
    };
    const md = markdown(r, '');
    expect(md).toContain('| `compile_dynamo_ms` | 160 | 0.375 | 150, 160, 210 | <= 200 | met (2 of 3) |');
    expect(md).toContain('| `compile_10k_cells_ms` | 600 | 0.1 | 650, 590, 600 | <= 600 | met (2 of 3) |');
    expect(md).toContain('- `compile_dynamo_ms`: `matrixbake compile matrix/dynamo.toml`');
    expect(md).toMatch(/come from a run of their own \(`make bench BENCH_ARGS="--only startup"`, 3 repetitions\) on the working tree at commit def,/);
    // A full run says nothing of the kind.
    expect(markdown({ ...r, startup: undefined }, '')).not.toContain('--only startup');
  });

  it.runIf(existsSync('dockerfiles/demo/busybox/amd64/busybox'))(
    'builds in a throwaway git repository: commit A holds what the matrix reads, each later commit one file',
    () => {
      const repo = benchRepo(process.cwd(), readFileSync('bench/bench.toml', 'utf8'));
      try {
        expect(repo.matrix).toBe(join(repo.root, MATRIX_PATH));
        expect(repo.git(['symbolic-ref', '--short', 'HEAD']).trim()).toBe('main');
        expect(repo.git(['ls-files']).trim().split('\n').sort()).toEqual([...BENCH_FILES, MATRIX_PATH].sort());
        const a = repo.head();
        expect(a).toMatch(/^[0-9a-f]{12}$/);
        const b = repo.commit('NOTES.txt', 'unrelated\n', 'B');
        expect(b).not.toBe(a);
        expect(repo.git(['diff', '--name-only', a, b]).trim()).toBe('NOTES.txt');
        // Its own repository: this one's HEAD is not its parent.
        expect(repo.git(['rev-list', '--count', 'HEAD']).trim()).toBe('2');
        expect(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: repo.root, encoding: 'utf8' }).trim()).toBe(
          execFileSync('realpath', [repo.root], { encoding: 'utf8' }).trim(),
        );
      } finally {
        repo.remove();
      }
      expect(existsSync(repo.root)).toBe(false);
    },
  );
});
