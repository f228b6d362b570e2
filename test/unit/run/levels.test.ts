import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { BUILD_EPOCH, linkSets, nodeMerges, planLevels } from '../../../src/run/levels.js';
import { pushedImages } from '../../../src/run/pushed-images.js';
import { readyJobs } from '../../../src/run/ready.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk } from '../../support/compile.js';

// `bake` (levels, its default with a cache registry) and `release`: what each bake is told.
// Whether BuildKit then restores everything from the registry cache, on a fresh builder, at the
// next commit and on a branch, is test/e2e/demo.test.ts's and ci-simulation.test.ts's job.

const opts = { repo: 'registry.example/cache', tag: 'abc123', sourceDateEpoch: BUILD_EPOCH };
const link = (t: string, digest = `sha256:${t}`) => `docker-image://registry.example/cache:link-${t}-abc123@${digest}`;

describe('levels', () => {
  it('builds a multi-arch node as its per-arch twins, each after everything it links', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const runs = planLevels(plan, ['all'], opts);
    expect(runs.every((r) => r.targets.length === 1)).toBe(true);
    const order = runs.map((r) => r.targets[0]);
    // 20 nodes, each for amd64 and arm64: what CI's jobs and a release build too.
    expect(order).toHaveLength(40);
    expect(order.every((n) => plan.targets.find((t) => t.name === n)!.arch !== undefined)).toBe(true);
    for (const t of plan.targets.filter((x) => order.includes(x.name))) {
      for (const l of t.links) expect(order.indexOf(l.target), `${t.name} after ${l.target}`).toBeLessThan(order.indexOf(t.name));
    }
    expect(runs.map((r) => r.level)).toEqual([...runs.map((r) => r.level)].sort((a, b) => a - b));
    expect(order.slice(0, 2)).toEqual(['busybox-amd64', 'busybox-arm64']);
  });

  it('builds only the arches asked for (--set *.platform=linux/amd64)', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const order = planLevels(plan, ['runtime-vllm-cuda12'], { ...opts, archs: ['amd64'] }).map((r) => r.targets[0]);
    expect(order).toEqual(['busybox-amd64', 'base-cuda12-amd64', 'wheel-cuda12-amd64', 'backend-vllm-cuda12-amd64', 'runtime-vllm-cuda12-amd64']);
  });

  it('links through pushed images pinned by digest, never through target: contexts', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const run = planLevels(plan, ['runtime-vllm-cuda12-amd64'], opts).find((r) => r.targets[0] === 'runtime-vllm-cuda12-amd64')!;
    const set = [...run.set, ...linkSets(run, opts, (t) => `sha256:${t}`)];
    expect(set).toEqual(
      expect.arrayContaining([
        `runtime-vllm-cuda12-amd64.contexts.dynamo-base=${link('base-cuda12-amd64')}`,
        `runtime-vllm-cuda12-amd64.contexts.dynamo-wheels=${link('wheel-cuda12-amd64')}`,
        `runtime-vllm-cuda12-amd64.contexts.backend=${link('backend-vllm-cuda12-amd64')}`,
        `runtime-vllm-cuda12-amd64.contexts.busybox=${link('busybox-amd64')}`,
        // A constant, not the commit time: the next commit's images are the same bytes.
        'runtime-vllm-cuda12-amd64.args.SOURCE_DATE_EPOCH=0',
      ]),
    );
    expect(set.join('\n')).not.toMatch(/target:/);
  });

  it('pushes a reproducible link image, the same on every commit, for every target a later level reads, and only for those', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const runs = planLevels(plan, ['ci-vllm-cuda12'], opts);
    const setOf = (n: string) => runs.find((r) => r.targets[0] === n)!.set;
    expect(setOf('base-cuda12-arm64')).toEqual(
      expect.arrayContaining([
        'base-cuda12-arm64.tags=registry.example/cache:link-base-cuda12-arm64-abc123',
        'base-cuda12-arm64.output=type=image,push=true,rewrite-timestamp=true',
        'base-cuda12-arm64.attest=type=provenance,disabled=true',
        // The labels that name a commit or tell a twin from its node are empty.
        'base-cuda12-arm64.labels.org.opencontainers.image.revision=',
        'base-cuda12-arm64.labels.org.opencontainers.image.version=',
        'base-cuda12-arm64.labels.org.opencontainers.image.description=',
      ]),
    );
    // Nothing links ci: it keeps its own outputs and attestations.
    expect(setOf('ci-vllm-cuda12-amd64').some((s) => /\.(output|tags|attest)=/.test(s))).toBe(false);
    expect(runs.map((r) => r.targets[0])).not.toContain('wheel-cuda13-amd64');
  });

  it('with --push, pushes the twins of each published node asked for, to merge into its tags', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    expect(nodeMerges(plan, ['vllm'])).toEqual(expect.arrayContaining([{ node: 'ci-vllm-cuda12', twins: ['ci-vllm-cuda12-amd64', 'ci-vllm-cuda12-arm64'] }]));
    expect(nodeMerges(plan, ['base-cuda12'])).toEqual([]);
    const runs = planLevels(plan, ['ci-vllm-cuda12'], { ...opts, publish: true });
    expect(runs.find((r) => r.targets[0] === 'ci-vllm-cuda12-amd64')!.pushesLink).toBe(true);
  });

  it('refuses an unknown target, and an arch the node is not built for', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    expect(() => planLevels(plan, ['runtime-vlm-cuda12'], opts)).toThrow('unknown target or group "runtime-vlm-cuda12"');
    expect(() => planLevels(plan, ['runtime-vllm-cuda12'], { ...opts, archs: ['ppc64le'] })).toThrow(
      'runtime-vllm-cuda12 is built for amd64, arm64, not for ppc64le',
    );
  });

  it('--dry-run prints one docker buildx bake per level and says which path; no cache registry is one bake', { timeout: 60_000 }, () => {
    const cli = cliRunner();
    const r = cli(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--dry-run', '--var', 'GIT_SHA=0123456789abcdef']);
    expect(r.status, r.stderr).toBe(0);
    const [file, ...lines] = r.stdout.trim().split('\n');
    // The file every level reads: the runtime node's group, its twins and the twins they link.
    expect(file).toMatch(/^# \S+\.hcl: 10 of the matrix's \d+ bake targets, what this request builds$/);
    expect(lines).toHaveLength(4); // busybox; base and wheel; backend; runtime
    expect(lines.every((l) => /docker buildx bake /.test(l))).toBe(true);
    expect(lines[3]).toContain(
      'runtime-vllm-cuda12-arm64.contexts.dynamo-base=docker-image://localhost:5000/demo/cache:link-base-cuda12-arm64-0123456789ab@<digest-of-base-cuda12-arm64>',
    );
    expect(lines[3]).toMatch(/ runtime-vllm-cuda12-amd64 runtime-vllm-cuda12-arm64$/);
    expect(r.stderr).toMatch(/^matrixbake: levels: 10 per-arch targets in 4 levels/m);
    // minimal.toml has no [cache] table: one bake, and it says why.
    const none = cli(['bake', 'test/fixtures/matrices/minimal.toml', '--dry-run']);
    expect(none.status).toBe(0);
    expect(none.stderr).toMatch(/^matrixbake: one bake: no cache registry/m);
    const refused = cli(['bake', 'test/fixtures/matrices/minimal.toml', '--levels', '--dry-run']);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/--levels pushes link images to the cache registry/);
  });

  it("starts each stage's targets once every image they link is pushed, not when the level before is done", async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const stage = (t: string) => plan.targets.find((x) => x.name === t)!.stage;
    const jobs = planLevels(plan, ['all'], { ...opts, archs: ['amd64'] }).map((r) => ({
      target: r.targets[0],
      needs: r.links.map((l) => l.target),
      group: `${stage(r.targets[0])} ${r.level}`,
    }));
    const ready = (pushed: string[], started: string[] = []) => readyJobs(jobs, new Set(started), new Set(pushed)).map((j) => j.target);
    expect(ready([])).toEqual(['busybox-amd64']);
    expect(ready(['busybox-amd64'], ['busybox-amd64'])).toEqual(['base-cuda12-amd64', 'base-cuda13-amd64', 'wheel-cuda12-amd64', 'wheel-cuda13-amd64']);
    const level1 = ['busybox-amd64', 'base-cuda12-amd64', 'base-cuda13-amd64', 'wheel-cuda12-amd64', 'wheel-cuda13-amd64'];
    // The backends link the bases only: they start while the wheels still build, all at once,
    // since targets of one stage share steps (src/run/ready.ts).
    expect(ready(['busybox-amd64', 'base-cuda12-amd64'], level1)).toEqual([]);
    expect(ready(['busybox-amd64', 'base-cuda12-amd64', 'base-cuda13-amd64'], level1)).toEqual([
      'backend-vllm-cuda12-amd64',
      'backend-vllm-cuda13-amd64',
      'backend-sglang-cuda12-amd64',
      'backend-sglang-cuda13-amd64',
      'backend-trtllm-cuda13-amd64',
    ]);
    // Without groups, each target goes as soon as its own links are pushed.
    const alone = jobs.map(({ group: _g, ...j }) => j);
    expect(readyJobs(alone, new Set(level1), new Set(['busybox-amd64', 'base-cuda12-amd64'])).map((j) => j.target)).toEqual([
      'backend-vllm-cuda12-amd64',
      'backend-sglang-cuda12-amd64',
    ]);
  });

  it('reads the link images a bake has pushed from its progress while it runs (rawjson and plain)', () => {
    // What buildx v0.36.1 streamed for a level of busybox and base (test/fixtures/matrices/slow-sibling.toml).
    const lines = readFileSync('test/fixtures/rawjson/levels-push.jsonl', 'utf8').split('\n');
    const pushed = lines.flatMap(pushedImages);
    expect(pushed.map((p) => p.name)).toEqual([
      'registry.example/cache:link-busybox-amd64-94c61e8db1dd',
      'registry.example/cache:link-base-cuda12-amd64-94c61e8db1dd',
    ]);
    expect(pushed.every((p) => /^sha256:[0-9a-f]{64}$/.test(p.digest))).toBe(true);
    // Started but not completed: not in the registry yet.
    expect(lines.filter((l) => l.includes('pushing manifest') && !/"id":"pushing manifest[^}]*"completed"/.test(l)).flatMap(pushedImages)).toEqual([]);
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(pushedImages(`#12 pushing manifest for registry.example/cache:link-x-1@${digest} done`)).toEqual([
      { name: 'registry.example/cache:link-x-1', digest },
    ]);
    expect(pushedImages(`#12 pushing manifest for registry.example/cache:link-x-1@${digest}`)).toEqual([]);
    expect(pushedImages('{"statuses":[{"id":"pushing manifest for')).toEqual([]);
  });
});
