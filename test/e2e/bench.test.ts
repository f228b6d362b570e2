import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GOALS, MEANING } from '../../bench/report.js';
import { requireServices } from '../support/services.js';

// `make bench` on a tiny scale (--quick: stage work 0 s, one repetition, compile up to 100
// cells): the harness runs end to end on real BuildKit and writes both files. No speed is
// asserted: the counts it reports are.

const HAVE = requireServices();

interface Steps {
  cached: number;
  all: number;
}
interface Detail {
  commits: { a: string; b: string; c: string };
  fresh: Steps;
  fresh_plain: Steps;
  default_path_fresh: Steps;
  default_path_line: string;
  next_commit: Steps;
  branch_first: Steps;
  branch_refs: { main_refs: number; main_refs_rewritten: string[]; branch_refs_written: number };
  default_from_one_bake: Steps;
  twin_fill: string;
  changed_next_commit_rebuilt: string[];
  node_from_twin: (Steps & { target: string })[];
  node_from_twin_one_bake: (Steps & { target: string })[];
  twin_from_node: (Steps & { target: string })[];
  twin_from_node_one_bake: (Steps & { target: string })[];
}

// The bench matrix's Dockerfile RUN/COPY steps: busybox 3, base 2, wheel 2, backend 5, runtime 21
// (the COPYs of a CUDA's base and wheels are shared by its frameworks), ci 5; one ci image with
// everything it links: 3 + 1 + 1 + 1 + 6 + 1.
const ALL_STEPS = 38;
const LEAF_STEPS = 13;
const CI = ['ci-vllm-cuda12', 'ci-vllm-cuda13', 'ci-sglang-cuda12', 'ci-sglang-cuda13', 'ci-trtllm-cuda13'];

describe.runIf(HAVE)('make bench --quick', () => {
  it(
    'builds, measures and writes results.json and RESULTS.md',
    () => {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
      execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
      const out = mkdtempSync(join(tmpdir(), 'mb-bench-'));
      const r = spawnSync('node', ['.bench-out/bench/run.js', '--quick', '--out', out], { encoding: 'utf8' });
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
        reps: number;
        figures: Record<string, { value: number; samples: number[] }>;
        detail: Detail[];
      };
      const f = (name: string) => results.figures[name]!.value;
      // The compiled graph builds each base once per CUDA x arch; build.sh's copies build it per framework.
      expect(f('base_builds_per_cuda_arch')).toBe(1);
      expect(f('baseline_base_builds_per_cuda_arch')).toBe(2.5);
      expect(f('changed_framework_rebuilt_steps')).toBe(f('changed_framework_expected_steps'));
      expect(f('changed_framework_expected_steps')).toBe(6);
      for (const name of ['sequential_over_bake', 'sequential_over_one_bake', 'warm_over_cold', 'warm_over_cold_one_bake', 'levels_cold_over_plain_cold']) {
        expect(results.figures[name]!.samples, name).toHaveLength(results.reps);
      }
      for (const name of ['compile_10_cells_ms', 'compile_100_cells_ms', 'buildx_print_100_ms', 'native_over_compiled_print', 'compile_dynamo_ms'])
        expect(results.figures[name], name).toBeDefined();
      // One CI job's own file (--quick's largest catalog is 100 cells: the job against itself).
      expect(results.figures.ci_job_print_100_ms!.samples.length).toBeGreaterThanOrEqual(5);
      expect(results.figures.ci_job_print_100_over_100!.value).toBeGreaterThan(0);
      // Builder nodes (bench/nodes.ts): on two nodes each node built its arch's 5 per-arch targets
      // (one more record when a bake ran again after the registry refused a push).
      for (const name of ['two_node_over_one_node', 'arm64_emulated_over_native_step']) expect(results.figures[name]!.samples, name).toHaveLength(results.reps);
      const records = (results as unknown as { nodes: { detail: { two_node_records: Record<string, number> }[] } }).nodes.detail[0]!.two_node_records;
      expect(
        Object.keys(records)
          .map((node) => node.replace(/^mbtwo-[0-9a-f]+-/, ''))
          .sort(),
      ).toEqual(['amd64', 'arm64']);
      for (const n of Object.values(records)) expect(n).toBeGreaterThanOrEqual(5);

      // Every hit ratio: one sample per repetition, between 0 and 1.
      const ratios = [
        'fresh_builder_cache_hit_ratio',
        'fresh_builder_cache_hit_ratio_plain_bake',
        'default_path_fresh_hit_ratio',
        'next_commit_fresh_hit_ratio',
        'branch_first_build_hit_ratio',
        'node_from_twin_cache_hit_ratio',
        'node_from_twin_cache_hit_ratio_one_bake',
        'twin_from_node_cache_hit_ratio',
        'twin_from_node_cache_hit_ratio_one_bake',
        'default_path_from_one_bake_cache_hit_ratio',
      ];
      for (const name of ratios) {
        expect(results.figures[name], name).toBeDefined();
        expect(results.figures[name]!.samples, name).toHaveLength(results.reps);
        for (const x of results.figures[name]!.samples) expect(x >= 0 && x <= 1, `${name} ${x}`).toBe(true);
      }
      // The figures are steps, not targets: each build completed every step of what it asked for.
      const [d] = results.detail;
      const wellFormed = (s: Steps, all: number, what: string) => {
        expect(s.all, what).toBe(all);
        expect(s.cached >= 0 && s.cached <= s.all, what).toBe(true);
      };
      for (const k of ['fresh', 'fresh_plain', 'default_path_fresh', 'next_commit', 'branch_first', 'default_from_one_bake'] as const)
        wellFormed(d![k], ALL_STEPS, k);
      for (const k of ['node_from_twin', 'node_from_twin_one_bake', 'twin_from_node', 'twin_from_node_one_bake'] as const) {
        expect(
          d![k].map((t) => t.target),
          k,
        ).toEqual(k.startsWith('node') ? CI : CI.map((n) => `${n}-amd64`));
        for (const t of d![k]) wellFormed(t, LEAF_STEPS, `${k} ${t.target}`);
      }
      expect(f('node_from_twin_cache_hit_ratio')).toBeCloseTo(d!.node_from_twin.reduce((n, t) => n + t.cached, 0) / (CI.length * LEAF_STEPS), 3);
      // Three real commits of the bench's own repository; `make bake` took the default path.
      expect(new Set(Object.values(d!.commits)).size).toBe(3);
      expect(d!.default_path_line).toMatch(/^matrixbake: levels: 20 per-arch targets in 5 levels/);
      expect(['release', 'bake']).toContain(d!.twin_fill);
      // The branch build wrote its own refs (one per per-arch target) next to main's.
      expect(d!.branch_refs.main_refs).toBe(20);
      expect(d!.branch_refs.branch_refs_written).toBe(20);
      expect(f('branch_build_main_refs_rewritten')).toBe(d!.branch_refs.main_refs_rewritten.length);
      expect(d!.changed_next_commit_rebuilt).toHaveLength(f('changed_framework_next_commit_rebuilt_steps'));
      expect(f('changed_framework_next_commit_expected_steps')).toBe(6);

      // What the default path promises, as counts: everything restored, main's refs untouched, the
      // changed framework's steps and no others rerun.
      for (const name of [
        'fresh_builder_cache_hit_ratio',
        'default_path_fresh_hit_ratio',
        'next_commit_fresh_hit_ratio',
        'branch_first_build_hit_ratio',
        'node_from_twin_cache_hit_ratio',
        'twin_from_node_cache_hit_ratio',
      ]) {
        expect(f(name), name).toBe(1);
      }
      expect(f('branch_build_main_refs_rewritten')).toBe(0);
      expect(f('changed_framework_next_commit_rebuilt_steps')).toBe(f('changed_framework_next_commit_expected_steps'));

      const md = readFileSync(join(out, 'RESULTS.md'), 'utf8');
      expect(md).toMatch(/^\| figure \| median \| spread \| samples \| goal \| \|$/m);
      expect(md).toMatch(/^\| `base_builds_per_cuda_arch` \| 1 \| 0 \| 1 \| 1 \| met \|$/m);
      expect(md).toMatch(/^\| `next_commit_fresh_hit_ratio` \| 1 \| 0 \| 1 \| 1\.0 \| met \|$/m);
      expect(md).toMatch(/^\| `branch_build_main_refs_rewritten` \| 0 \| 0 \| 0 \| 0 \| met \|$/m);
      expect(md).toMatch(/^\| `levels_cold_over_plain_cold` \| [\d.]+ \| 0 \| [\d.]+ \| <= 1\.3 \| (met|\*\*not met\*\*) \|$/m);
      // Each figure with a goal is in the table and explained under "Figures".
      for (const name of Object.keys(GOALS).filter((n) => n in results.figures && MEANING[n])) expect(md, name).toContain(`- \`${name}\`: ${MEANING[name]}.`);
      expect(md).toContain('## Figures');
      expect(md).toContain('## Machine');
    },
    30 * 60_000,
  );
});
