import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanTarget } from '../../src/plan/plan.js';
import type { BakeReport } from '../../src/run/summary.js';
import { startBuildkitd } from '../support/buildkitd.js';
import { executedRuns, privateCli, rawjsonVertices } from '../support/cli-build.js';
import { BUILDX } from '../support/buildx.js';
import { compileOk } from '../support/compile.js';
import { platforms, readFile, tags } from '../support/registry.js';
import { repoCopy } from '../support/repo-copy.js';
import { requireServices } from '../support/services.js';

// The offline demo built for real: a private buildkitd (fresh state), the project's registry on
// localhost:5000, both platforms. One namespace per run, so nothing left from an earlier run counts.

const HAVE = requireServices();
const run = `e2e-${Date.now().toString(36)}`;
const REGISTRY = `localhost:5000/${run}`;
const vars = (extra: string[] = []) => ['--var', `REGISTRY=${REGISTRY}`, '--var', `CACHE_REGISTRY=${REGISTRY}/cache`, '--var', 'PUSH_CACHE=true', ...extra];
const SLOW = 15 * 60_000;

describe.runIf(HAVE)('offline demo on a real BuildKit', () => {
  let kit: Awaited<ReturnType<typeof startBuildkitd>>;
  let cli: ReturnType<typeof privateCli>;
  let published: PlanTarget[];
  let cold: ReturnType<typeof rawjsonVertices>;
  const bake = (args: string[], env: Record<string, string> = {}, cwd?: string) => cli(['bake', ...args], { BUILDX_BUILDER: kit.builder, ...env }, cwd);

  beforeAll(async () => {
    kit = await startBuildkitd();
    cli = privateCli('e2e-demo');
    const plan = (await compileOk('matrix/demo.toml')).plan;
    published = plan.targets.filter((t) => t.tagSuffix !== undefined && t.arch === undefined);
    const r = bake(['matrix/demo.toml', 'all', '--push', ...vars(), '--', '--progress=rawjson']);
    if (r.status !== 0) throw new Error(`demo build failed:\n${r.stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n')}`);
    cold = rawjsonVertices(r.stderr);
  }, SLOW);
  afterAll(async () => kit?.stop());

  it('pushes every published target as a manifest list with both platforms', async () => {
    expect(published.map((t) => t.name).sort()).toEqual(
      ['ci-sglang-cuda12', 'ci-sglang-cuda13', 'ci-trtllm-cuda13', 'ci-vllm-cuda12', 'ci-vllm-cuda13', 'runtime-sglang-cuda12', 'runtime-sglang-cuda13', 'runtime-trtllm-cuda13', 'runtime-vllm-cuda12', 'runtime-vllm-cuda13'],
    );
    for (const t of published) expect((await platforms(`${run}/dynamo`, `latest-${t.tagSuffix}`)).sort(), t.name).toEqual(['linux/amd64', 'linux/arm64']);
    expect(await tags(`${run}/dynamo`)).not.toContain('latest-trtllm-runtime-cuda12');
  });

  it('builds each shared stage once per CUDA x arch: every framework holds the same base and wheel build', async () => {
    for (const cuda of ['12', '13']) {
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        const runtimes = published.filter((t) => t.stage === 'runtime' && t.values.cuda === cuda);
        const ids = async (path: string) => new Set(await Promise.all(runtimes.map((t) => readFile(`${run}/dynamo`, `latest-${t.tagSuffix}`, platform, path))));
        const base = await ids('/opt/demo/consumed/base/base.id');
        const wheel = await ids('/opt/demo/consumed/wheel/wheel.id');
        expect(base.size, `base builds in cuda${cuda} ${platform}: ${[...base].join(' | ')}`).toBe(1);
        expect(wheel.size).toBe(1);
        expect([...base][0]).toMatch(new RegExp(`^stage=base cuda=${cuda}\\.\\d+\\.\\d+ python=3\\.12 arch=${platform.split('/')[1]} build=[0-9a-f-]{36}\\n$`));
      }
    }
    // And the progress agrees: the base RUN ran once per CUDA x arch, not once per framework.
    expect(executedRuns(cold).filter((v) => v.name.includes('stage=base'))).toHaveLength(4);
    expect(executedRuns(cold).filter((v) => v.name.includes('stage=wheel'))).toHaveLength(4);
  });

  it('sums up a warm rebuild: every target cached, its step counts the same as buildx history inspect', async () => {
    const r = bake(['matrix/demo.toml', 'all', '--push', '--json', ...vars()]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(r.stdout) as BakeReport;
    expect(report.targets).toHaveLength(20);
    expect(report.cacheNotSaved).toEqual([]);
    for (const t of report.targets) {
      expect([t.target, t.status]).toEqual([t.target, 'cached']);
      const [builder, , ref] = t.ref!.split('/');
      const inspected = JSON.parse(execFileSync(BUILDX![0]!, [...BUILDX!.slice(1), 'history', 'inspect', '--builder', builder!, ref!, '--format', 'json'], { encoding: 'utf8' }));
      expect([t.target, t.steps, t.cachedSteps]).toEqual([t.target, inspected.NumTotalSteps, inspected.NumCachedSteps]);
      expect(t.durationMs).toBeLessThan(inspected.Duration / 1e6 + 1000);
    }
    for (const t of report.targets.filter((t) => published.some((p) => p.name === t.target))) {
      expect(t.image.split(',')).toContain(`${REGISTRY}/dynamo:latest-${published.find((p) => p.name === t.target)!.tagSuffix}`);
      expect(t.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  }, SLOW);

  // A fresh builder (a CI runner, a wiped buildkitd) restores from the registry with `--levels`:
  // one bake per target, linked through pushed images. (One `bake all` does not restore fully:
  // BuildKit misses shared-vertex cache across a bake's targets, docker/buildx#3878; see README.)
  it('rebuilds from the registry cache alone after buildkitd lost its state, executing no RUN', async () => {
    const ns = `${run}-levels`;
    const levelVars = ['--var', `REGISTRY=localhost:5000/${ns}`, '--var', `CACHE_REGISTRY=localhost:5000/${ns}/cache`, '--var', 'PUSH_CACHE=true'];
    const build = () => {
      const r = bake(['matrix/demo.toml', 'all', '--levels', '--push', ...levelVars, '--', '--progress=rawjson']);
      expect(r.status, r.stderr.split('\n').filter((l) => !l.startsWith('{')).slice(-20).join('\n')).toBe(0);
      return { runs: executedRuns(rawjsonVertices(r.stderr)).map((v) => v.name), digests: tableDigests(r.stdout) };
    };
    await kit.restartFresh();
    const first = build();
    expect(first.runs.length).toBeGreaterThanOrEqual(40);
    await kit.restartFresh();
    const again = build();
    expect(again.runs).toEqual([]);
    // Nothing ran, and the link images are byte-for-byte what the first build pushed (SOURCE_DATE_EPOCH,
    // rewrite-timestamp, no provenance). Images nothing links to keep their attestations, so differ.
    const plan = (await compileOk('matrix/demo.toml')).plan;
    const linked = [...new Set(plan.targets.flatMap((t) => t.links.map((l) => l.target)))].filter((n) => !n.match(/-(amd64|arm64)$/)).sort();
    expect(linked).toHaveLength(15);
    const pick = (d: Record<string, string>) => Object.fromEntries(linked.map((n) => [n, d[n]]));
    expect(pick(again.digests)).toEqual(pick(first.digests));
    expect(Object.keys(first.digests)).toHaveLength(20);
  }, SLOW);

  it('builds a per-arch twin alone, with cache refs of its own', async () => {
    const r = bake(['matrix/demo.toml', 'runtime-vllm-cuda12-arm64', ...vars()]);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const cacheTags = await tags(`${run}/cache`);
    expect(cacheTags).toEqual(expect.arrayContaining(['runtime-vllm-cuda12-arm64-main', 'backend-vllm-cuda12-arm64-main', 'base-cuda12-arm64-main', 'runtime-vllm-cuda12-main']));
    expect(await platforms(`${run}/cache`, 'base-cuda12-arm64-main')).not.toContain('linux/amd64');
  }, SLOW);

  // sccache's credentials (USE_SCCACHE=true): test/e2e/secrets.test.ts builds this whole demo with
  // fake ones and searches every image, attestation, cache blob and bake file for them.

  it('names the failed target and passes on the exit code', async () => {
    const repo = repoCopy(['matrix/demo.toml', 'dockerfiles/demo', '.dockerignore']);
    repo.edit('dockerfiles/demo/Dockerfile.framework', (t) => t.replace('echo "stage=ci', 'exit 3 && echo "stage=ci'));
    const r = bake([repo.file('matrix/demo.toml'), 'ci-vllm-cuda12', '--set', '*.platform=linux/amd64', ...vars()], {}, repo.root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^matrixbake: build failed in target ci-vllm-cuda12 \(docker buildx bake exited with 1\)$/m);
  }, SLOW);
});

/** target -> digest (as far as the table prints it), from the table `matrixbake bake` ends with. */
function tableDigests(stdout: string): Record<string, string> {
  const rows = stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c.length >= 4 && c.at(-1)!.startsWith('sha256:'));
  return Object.fromEntries(rows.map((c) => [c[0]!, c.at(-1)!]));
}
