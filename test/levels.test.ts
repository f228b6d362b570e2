import { describe, expect, it } from 'vitest';
import { planLevels } from '../src/run/levels.js';
import { privateCli } from './support/cli-build.js';
import { compileOk } from './support/compile.js';

// `bake --levels`: what each of the one-target bakes is told. Whether BuildKit then restores
// everything from the registry cache is test/e2e/demo.test.ts's job; this is the plan of it.

const opts = { repo: 'registry.example/cache', tag: 'abc123', sourceDateEpoch: '1700000000' };
const link = (t: string) => `docker-image://registry.example/cache:link-${t}-abc123`;

describe('bake --levels', () => {
  it('builds one target per bake, each after everything it links', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const runs = planLevels(plan, ['all'], opts);
    expect(runs.every((r) => r.targets.length === 1)).toBe(true);
    const order = runs.map((r) => r.targets[0]!);
    expect(order).toHaveLength(20);
    for (const t of plan.targets.filter((x) => order.includes(x.name))) {
      for (const l of t.links) expect(order.indexOf(l.target), `${t.name} after ${l.target}`).toBeLessThan(order.indexOf(t.name));
    }
    expect(runs.map((r) => r.level)).toEqual([...runs.map((r) => r.level)].sort((a, b) => a - b));
    expect(order[0]).toBe('busybox');
  });

  it('links through pushed images, never through target: contexts', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const set = planLevels(plan, ['runtime-vllm-cuda12'], opts).find((r) => r.targets[0] === 'runtime-vllm-cuda12')!.set;
    expect(set).toEqual(expect.arrayContaining([
      `runtime-vllm-cuda12.contexts.dynamo-base=${link('base-cuda12')}`,
      `runtime-vllm-cuda12.contexts.dynamo-wheels=${link('wheel-cuda12')}`,
      `runtime-vllm-cuda12.contexts.backend=${link('backend-vllm-cuda12')}`,
      `runtime-vllm-cuda12.contexts.busybox=${link('busybox')}`,
      'runtime-vllm-cuda12.args.SOURCE_DATE_EPOCH=1700000000',
    ]));
    expect(set.join('\n')).not.toMatch(/target:/);
  });

  it('pushes a reproducible link image for every target a later level reads, and only for those', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const runs = planLevels(plan, ['ci-vllm-cuda12'], { ...opts, tagsOf: (n) => (n === 'runtime-vllm-cuda12' ? ['registry.example/dynamo:latest-vllm-runtime-cuda12'] : []) });
    const setOf = (n: string) => runs.find((r) => r.targets[0] === n)!.set;
    expect(setOf('base-cuda12')).toEqual(expect.arrayContaining([
      'base-cuda12.tags=registry.example/cache:link-base-cuda12-abc123',
      'base-cuda12.output=type=image,push=true,rewrite-timestamp=true',
      'base-cuda12.attest=type=provenance,disabled=true',
    ]));
    // A published image that is also linked keeps its release tags next to the link.
    expect(setOf('runtime-vllm-cuda12').filter((s) => s.includes('.tags='))).toEqual([
      'runtime-vllm-cuda12.tags=registry.example/cache:link-runtime-vllm-cuda12-abc123',
      'runtime-vllm-cuda12.tags=registry.example/dynamo:latest-vllm-runtime-cuda12',
    ]);
    // Nothing links ci: it keeps its own outputs and attestations.
    expect(setOf('ci-vllm-cuda12').some((s) => /\.(output|tags|attest)=/.test(s))).toBe(false);
    expect(runs.map((r) => r.targets[0])).not.toContain('wheel-cuda13');
  });

  it('refuses an unknown target', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    expect(() => planLevels(plan, ['runtime-vlm-cuda12'], opts)).toThrow('unknown target or group "runtime-vlm-cuda12"');
  });

  it('--dry-run prints one docker buildx bake per target; no cache registry is exit 2', { timeout: 60_000 }, () => {
    const cli = privateCli('levels');
    const r = cli(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--levels', '--dry-run', '--var', 'GIT_SHA=0123456789abcdef', '--var', 'SOURCE_DATE_EPOCH=42']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5); // busybox, base, wheel, backend, runtime
    expect(lines.every((l) => /docker buildx bake .* [a-z0-9-]+$/.test(l))).toBe(true);
    expect(lines[4]).toContain('runtime-vllm-cuda12.contexts.dynamo-base=docker-image://localhost:5000/demo/cache:link-base-cuda12-0123456789ab');
    expect(lines[4]).toContain('runtime-vllm-cuda12.args.SOURCE_DATE_EPOCH=42');
    // minimal.toml has no [cache] table.
    const none = cli(['bake', 'test/fixtures/matrices/minimal.toml', '--levels', '--dry-run']);
    expect(none.status).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/--levels pushes link images to the cache registry/);
  });
});
