import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeReport, Status } from '../../src/run/report.js';
import { startBuildkitd, type Buildkitd } from '../support/buildkitd.js';
import { cliPath } from '../support/cli-build.js';
import { requireServices } from '../support/services.js';
import { flakyProxy, type FlakyProxy } from '../support/flaky-proxy.js';
import { startRegistry, type ThrowawayRegistry } from '../support/throwaway-registry.js';

// What happens to a bake when its registry or its buildkitd goes away half-way, on a private
// buildkitd and a registry of this test's own (loopback only). The matrix is the bench's: the
// demo graph on amd64 with fixed sleeps (base 8 s, wheel 10 s, backend 14 s), so the moment
// "base is done, the backends are not" lasts seconds, and the test acts on it when it sees it.

const HAVE = requireServices();
const SLOW = 5 * 60_000;
const FINISHED = /^#\d+ \[([a-z0-9-]+)\] resolving provenance for metadata file$/gm;

describe.runIf(HAVE)('faults during a bake, on a real BuildKit and registry', () => {
  let kit: Buildkitd;
  let registry: ThrowawayRegistry;
  let flaky: ThrowawayRegistry;
  let proxy: FlakyProxy;
  let pushProxy: FlakyProxy;
  let cli: string;

  beforeAll(async () => {
    registry = await startRegistry();
    flaky = await startRegistry();
    // Fails the first cache manifest PUT, as the local registry does now and then under
    // concurrent pushes ("provided digest did not match uploaded content").
    proxy = await flakyProxy(flaky.address, /^PUT \/v2\/cache\/manifests\/ci-vllm-cuda12-main$/);
    // Fails the first push of a release job's image (its link image, pushed by tag).
    pushProxy = await flakyProxy(flaky.address, /^PUT \/v2\/release\/cache\/manifests\/link-/);
    kit = await startBuildkitd({
      extraConfig: [registry.buildkitConfig, flaky.buildkitConfig, ...[proxy, pushProxy].map((p) => `[registry."${p.address}"]\n  http = true\n`)].join('\n'),
    });
    cli = cliPath();
  }, SLOW);
  afterAll(async () => {
    await kit?.stop();
    await registry?.stop();
    await proxy?.close();
    await pushProxy?.close();
    await flaky?.stop();
  });

  /**
   * `matrixbake bake bench/bench.toml all --one-bake --json`, calling `when(stderr so far)` as
   * progress arrives. One bake: the levelled default path needs its registry for the links, so a
   * registry that goes away fails it (the level after says so), where one bake only loses cache.
   */
  async function bake(vars: Record<string, string>, when: (stderr: string) => void = () => {}) {
    const args = ['bake', 'bench/bench.toml', 'all', '--one-bake', '--json', ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`])];
    const child = execa('node', [cli, ...args], { env: { BUILDX_BUILDER: kit.builder }, reject: false, stdin: 'ignore' });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      when(stderr);
    });
    const r = await child;
    const report = r.stdout.trim().startsWith('{') ? (JSON.parse(r.stdout) as BakeReport) : undefined;
    return { exitCode: r.exitCode ?? 1, stderr: String(r.stderr), report };
  }
  const statuses = (r?: BakeReport) => Object.fromEntries((r?.targets ?? []).map((t) => [t.target, t.status])) as Record<string, Status>;
  const finished = (stderr: string) => new Set([...stderr.matchAll(FINISHED)].map((m) => m[1]!));

  it(
    'finishes the build when the cache registry stops mid-bake, and says which caches were not saved',
    async () => {
      let stopped: Promise<void> | undefined;
      const r = await bake({ CACHE_REGISTRY: `${registry.address}/cache`, PUSH_CACHE: 'true', BUILD_NONCE: `reg-${Date.now()}` }, (stderr) => {
        if (!stopped && finished(stderr).has('base-cuda12')) stopped = registry.stop();
      });
      await stopped;
      expect(stopped, 'the registry was never stopped: base-cuda12 did not finish').toBeDefined();
      expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
      // Everything was built: cache import and export errors do not fail a build.
      expect(new Set(Object.values(statuses(r.report)))).toEqual(
        new Set(['built', 'cached'].filter((s) => Object.values(statuses(r.report)).includes(s as Status))),
      );
      expect(Object.keys(statuses(r.report))).toHaveLength(20);
      const lost = new Set(r.report!.cacheNotSaved.map((c) => c.target));
      // Targets that finished after the stop lost their cache; the ci images finish last of all.
      for (const t of ['ci-vllm-cuda12', 'ci-sglang-cuda13', 'ci-trtllm-cuda13', 'runtime-vllm-cuda13']) expect(lost).toContain(t);
      expect(lost).not.toContain('base-cuda12');
      console.log(
        `fault: cache registry stopped after base-cuda12 finished: ${Object.keys(statuses(r.report)).length} targets built, exit 0, caches not saved for ${lost.size}`,
      );
      const warnings = r.stderr.split('\n').filter((l) => l.startsWith('matrixbake: warning: registry cache not saved'));
      expect(warnings).toEqual([
        expect.stringMatching(new RegExp(`^matrixbake: warning: registry cache not saved for ${lost.size} of 20 targets \\(.+\\): .*connection refused`)),
      ]);
    },
    SLOW,
  );

  it(
    'exports a cache the registry refused once more, and then says nothing',
    async () => {
      const r = await bake({ CACHE_REGISTRY: `${proxy.address}/cache`, PUSH_CACHE: 'true', BUILD_NONCE: `flaky-${Date.now()}` });
      expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
      expect(proxy.failed).toEqual(['PUT /v2/cache/manifests/ci-vllm-cuda12-main']);
      const notes = r.stderr.split('\n').filter((l) => l.startsWith('matrixbake:'));
      expect(notes).toEqual([
        expect.stringMatching(/^matrixbake: one bake: --one-bake: /),
        expect.stringMatching(
          /^matrixbake: the registry refused the cache of ci-vllm-cuda12 \(.*provided digest did not match uploaded content\); exporting it once more$/,
        ),
      ]);
      expect(r.report!.cacheNotSaved).toEqual([]);
      expect(await flaky.tags('cache')).toContain('ci-vllm-cuda12-main');
      expect((await flaky.tags('cache')).sort()).toEqual(
        Object.keys(statuses(r.report))
          .map((t) => `${t}-main`)
          .sort(),
      );
    },
    SLOW,
  );

  it(
    "runs a release job's bake again when the registry fails its image push, and that run saves the registry cache",
    async () => {
      // CI's job, `release <twin> --phase build --only`: a level-0 twin, so it links nothing.
      const args = ['release', 'bench/bench.toml', 'busybox-amd64', '--phase', 'build', '--only', '--registry', `${pushProxy.address}/release/staging`];
      const vars = { CACHE_REGISTRY: `${pushProxy.address}/release/cache`, PUSH_CACHE: 'true', BRANCH: 'main' };
      const r = await execa('node', [cli, ...args, ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`])], {
        env: { BUILDX_BUILDER: kit.builder },
        reject: false,
        stdin: 'ignore',
      });
      expect(r.exitCode, String(r.stderr).slice(-3000)).toBe(0);
      expect(pushProxy.failed).toEqual([expect.stringMatching(/^PUT \/v2\/release\/cache\/manifests\/link-busybox-amd64-[0-9a-f]{12}$/)]);
      const notes = String(r.stderr)
        .split('\n')
        .filter((l) => /^matrixbake: (the registry|warning)/.test(l));
      expect(notes).toEqual(['matrixbake: the registry failed a push (see above); running the same bake once more (built steps come from cache)']);
      // The cache the next commit imports, and the link image the next level pins.
      expect((await flaky.tags('release/cache')).sort()).toEqual(['busybox-amd64-main', expect.stringMatching(/^link-busybox-amd64-[0-9a-f]{12}$/)]);
    },
    SLOW,
  );

  it(
    'names the interrupted targets when buildkitd is killed, and the next run reuses what finished',
    async () => {
      // The cache is this test's own: reading the shared registry's bench refs, which other suites
      // write at the same time, is not what this test is about.
      const vars = { BUILD_NONCE: `kill-${Date.now()}`, CACHE_REGISTRY: `${flaky.address}/kill-cache` };
      let killed: Promise<void> | undefined;
      const first = await bake(vars, (stderr) => {
        if (!killed && finished(stderr).has('base-cuda12') && finished(stderr).has('base-cuda13')) killed = kit.kill();
      });
      await killed;
      const tail = () => `exit ${first.exitCode}, finished: ${[...finished(first.stderr)].join(' ') || 'none'}\n${first.stderr.slice(-4000)}`;
      expect(killed, `buildkitd was never killed: base did not finish (${tail()})`).toBeDefined();
      expect(first.exitCode).not.toBe(0);
      const said = `stdout:\n${JSON.stringify(first.report)}\nstderr:\n${first.stderr
        .split('\n')
        .filter((l) => /ERROR|matrixbake|provenance/.test(l))
        .join('\n')}`;
      const before = statuses(first.report);
      const done = Object.keys(before).filter((t) => before[t] === 'built');
      const interrupted = Object.keys(before).filter((t) => before[t] === 'interrupted');
      expect(done, said).toEqual(expect.arrayContaining(['busybox', 'base-cuda12', 'base-cuda13']));
      // The backends take 14 s after base: none can have finished.
      expect(interrupted).toEqual(expect.arrayContaining(['backend-vllm-cuda12', 'runtime-vllm-cuda12', 'ci-trtllm-cuda13']));
      expect(done.length + interrupted.length, said).toBe(20);
      const last = first.stderr.trimEnd().split('\n').at(-1)!;
      expect(last).toMatch(
        new RegExp(
          `^matrixbake: buildkitd went away during the bake \\(.+\\): ${interrupted.length} of 20 targets interrupted \\(.+\\) \\(hint: start it again`,
        ),
      );

      await kit.restart();
      const again = await bake(vars);
      expect(again.exitCode, again.stderr.slice(-3000)).toBe(0);
      const after = statuses(again.report);
      // What finished before the kill comes from the daemon's cache: not one Dockerfile step reruns.
      for (const t of done) expect([t, after[t]]).toEqual([t, 'cached']);
      for (const t of interrupted) expect([t, after[t]]).toEqual([t, 'built']);
      console.log(
        `fault: buildkitd killed: exit ${first.exitCode}, ${done.length} finished, ${interrupted.length} interrupted; rerun: ${done.length} cached, ${interrupted.length} built`,
      );
    },
    SLOW,
  );
});
