import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireServices } from '../support/services.js';

// `make bench` on a tiny scale (--quick: stage work 0 s, one repetition, compile up to 100
// cells): the harness runs end to end on real BuildKit and writes both files. No speed is
// asserted: the counts it reports are.

const HAVE = requireServices();

describe.runIf(HAVE)('make bench --quick', () => {
  it('builds, measures and writes results.json and RESULTS.md', () => {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    const out = mkdtempSync(join(tmpdir(), 'mb-bench-'));
    const r = spawnSync('node', ['.bench-out/bench/run.js', '--quick', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { figures: Record<string, { value: number; samples: number[] }> };
    const f = (name: string) => results.figures[name]!.value;
    // The compiled graph builds each base once per CUDA x arch; build.sh's copies build it per framework.
    expect(f('base_builds_per_cuda_arch')).toBe(1);
    expect(f('baseline_base_builds_per_cuda_arch')).toBe(2.5);
    expect(f('changed_framework_rebuilt_steps')).toBe(f('changed_framework_expected_steps'));
    expect(f('changed_framework_expected_steps')).toBe(6);
    expect(f('fresh_builder_cache_hit_ratio')).toBe(1);
    for (const name of ['sequential_over_bake', 'warm_over_cold', 'compile_10_cells_ms', 'compile_100_cells_ms', 'buildx_print_100_ms', 'native_over_compiled_print']) {
      expect(results.figures[name], name).toBeDefined();
    }
    const md = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(md).toMatch(/^\| figure \| median \| spread \| samples \| goal \| \|$/m);
    expect(md).toMatch(/^\| `base_builds_per_cuda_arch` \| 1 \| 0 \| 1 \| 1 \| met \|$/m);
    expect(md).toContain('## Machine');
  }, 15 * 60_000);
});
