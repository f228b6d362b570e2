import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanTarget } from '../../src/plan/plan.js';
import type { BakeReport } from '../../src/run/report.js';
import { startBuildkitd } from '../support/buildkitd.js';
import { executedRuns, cliRunner, rawjsonVertices } from '../support/cli-build.js';
import { BUILDX } from '../support/buildx.js';
import { compileOk } from '../support/compile.js';
import { manifest, platforms, readFile, tags } from '../support/registry.js';
import { gitRepoCopy, type GitRepo } from '../support/git-repo.js';
import { repoCopy } from '../support/repo-copy.js';
import { requireServices } from '../support/services.js';
import { humanLines, logTail } from '../support/build-log.js';

// The offline demo built for real: a private buildkitd (fresh state), the project's registry on
// localhost:5000, both platforms. One namespace per run, so nothing left from an earlier run counts.

const HAVE = requireServices();
const run = `e2e-${Date.now().toString(36)}`;
const REGISTRY = `localhost:5000/${run}`;
const vars = (extra: string[] = []) => ['--var', `REGISTRY=${REGISTRY}`, '--var', `CACHE_REGISTRY=${REGISTRY}/cache`, '--var', 'PUSH_CACHE=true', ...extra];
const SLOW = 15 * 60_000;

describe.runIf(HAVE)('offline demo on a real BuildKit', () => {
  let kit: Awaited<ReturnType<typeof startBuildkitd>>;
  let cli: ReturnType<typeof cliRunner>;
  let published: PlanTarget[];
  let cold: ReturnType<typeof rawjsonVertices>;
  const bake = (args: string[], env: Record<string, string> = {}, cwd?: string) => cli(['bake', ...args], { BUILDX_BUILDER: kit.builder, ...env }, cwd);

  beforeAll(async () => {
    kit = await startBuildkitd();
    cli = cliRunner();
    const plan = (await compileOk('matrix/demo.toml')).plan;
    published = plan.targets.filter((t) => t.tagSuffix !== undefined && t.arch === undefined);
    const r = bake(['matrix/demo.toml', 'all', '--push', ...vars(), '--', '--progress=rawjson']);
    if (r.status !== 0) throw new Error(`demo build failed:\n${humanLines(r.stderr).join('\n')}`);
    cold = rawjsonVertices(r.stderr);
  }, SLOW);
  afterAll(async () => kit?.stop());

  it('pushes every published target as a manifest list with both platforms', async () => {
    expect(published.map((t) => t.name).sort()).toEqual([
      'ci-sglang-cuda12',
      'ci-sglang-cuda13',
      'ci-trtllm-cuda13',
      'ci-vllm-cuda12',
      'ci-vllm-cuda13',
      'runtime-sglang-cuda12',
      'runtime-sglang-cuda13',
      'runtime-trtllm-cuda13',
      'runtime-vllm-cuda12',
      'runtime-vllm-cuda13',
    ]);
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
        // Per-arch args: the arm64 wheels got the matrix's arm64 values, the amd64 ones the
        // Dockerfile's defaults, each inside the one multi-arch tag.
        const [packages, manylinux] = platform === 'linux/arm64' ? ['arm64', 'aarch64'] : ['amd64', 'x86_64'];
        expect([...wheel][0]).toMatch(new RegExp(` arch=${platform.split('/')[1]} packages=${packages} manylinux=${manylinux} build=`));
      }
    }
    // And the progress agrees: the base RUN ran once per CUDA x arch, not once per framework.
    expect(executedRuns(cold).filter((v) => v.name.includes('stage=base'))).toHaveLength(4);
    expect(executedRuns(cold).filter((v) => v.name.includes('stage=wheel'))).toHaveLength(4);
  });

  it(
    'sums up a warm rebuild: every target cached, its step counts the same as buildx history inspect',
    async () => {
      const r = bake(['matrix/demo.toml', 'all', '--push', '--json', ...vars()]);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      expect(r.stderr).toMatch(/^matrixbake: levels: 40 per-arch targets in 5 levels/m);
      // BuildKit warns of SCCACHE_S3_KEY_PREFIX on every bake; demo.toml accepts it with a reason.
      expect(r.stderr.split('\n').filter((l) => /WARN/.test(l))).toEqual([]);
      const report = JSON.parse(r.stdout) as BakeReport;
      expect(report.path).toBe('levels');
      // The 20 nodes, each built as its amd64 and arm64 twins.
      expect(report.targets).toHaveLength(40);
      expect(report.cacheNotSaved).toEqual([]);
      for (const t of report.targets) {
        expect([t.target, t.status]).toEqual([t.target, 'cached']);
        const [builder, , ref] = t.ref!.split('/');
        const inspected = JSON.parse(
          execFileSync(BUILDX![0]!, [...BUILDX!.slice(1), 'history', 'inspect', '--builder', builder!, ref!, '--format', 'json'], { encoding: 'utf8' }),
        );
        expect([t.target, t.steps, t.cachedSteps]).toEqual([t.target, inspected.NumTotalSteps, inspected.NumCachedSteps]);
        expect(t.durationMs).toBeLessThan(inspected.Duration / 1e6 + 1000);
      }
      // Each published node: its tags, a manifest list of its twins' images.
      expect(report.merged!.map((m) => m.node).sort()).toEqual(published.map((t) => t.name).sort());
      for (const m of report.merged!) {
        const suffix = published.find((p) => p.name === m.node)!.tagSuffix;
        expect(m.tags).toContain(`${REGISTRY}/dynamo:latest-${suffix}`);
        expect(m.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        expect((await platforms(`${run}/dynamo`, `latest-${suffix}`)).sort()).toEqual(['linux/amd64', 'linux/arm64']);
      }
    },
    SLOW,
  );

  // A fresh builder (a CI runner, a laptop, a wiped buildkitd) restores everything from the registry
  // on bake's default path: one bake per level, linked through pushed images. (One `bake all
  // --one-bake` does not restore fully: BuildKit misses shared-vertex cache across a bake's
  // targets, docker/buildx#3878; see docs/caching.md.) A new commit and a new branch too.
  describe('a fresh builder, from the registry cache alone', () => {
    const ns = `${run}-fresh`;
    const freshVars = ['--var', `REGISTRY=localhost:5000/${ns}`, '--var', `CACHE_REGISTRY=localhost:5000/${ns}/cache`];
    let repo: GitRepo;
    let first: { runs: string[]; digests: Record<string, string> };
    const build = (extra: string[] = []) => {
      const r = bake([repo.file('matrix/demo.toml'), 'all', ...freshVars, ...extra, '--', '--progress=rawjson'], {}, repo.root);
      expect(r.status, logTail(r.stderr)).toBe(0);
      const steps = rawjsonVertices(r.stderr).filter((v) => v.completed && /^\[[^\]]+\] (RUN|COPY|ADD) /.test(v.name));
      return { runs: steps.filter((v) => !v.cached).map((v) => v.name), all: steps.length, digests: tableDigests(r.stdout) };
    };

    beforeAll(async () => {
      repo = gitRepoCopy(['matrix/demo.toml', 'dockerfiles/demo', '.dockerignore']);
      repo.commit('A');
      await kit.restartFresh();
      first = build(['--var', 'PUSH_CACHE=true']);
    }, SLOW);

    it(
      'at the same commit: no RUN or COPY runs, and the link images are the same bytes',
      async () => {
        expect(first.runs.length).toBeGreaterThanOrEqual(40);
        await kit.restartFresh();
        const again = build();
        expect(again.runs).toEqual([]);
        expect(again.all).toBeGreaterThanOrEqual(70);
        // SOURCE_DATE_EPOCH=0, rewrite-timestamp, no provenance, no commit in the labels.
        const linked = Object.keys(first.digests).filter((n) => !n.startsWith('ci-'));
        expect(linked).toHaveLength(30);
        expect(pick(again.digests, linked)).toEqual(pick(first.digests, linked));
      },
      SLOW,
    );

    it(
      'at the next commit, which changes nothing a target reads: no RUN or COPY runs',
      async () => {
        repo.write('README.md', 'one more line\n');
        repo.commit('B: README.md only');
        await kit.restartFresh();
        const next = build();
        expect(next.runs).toEqual([]);
        // The same link images, byte for byte, as at the first commit.
        expect(next.digests).toEqual(first.digests);
      },
      SLOW,
    );

    it(
      "on a new branch: restores from main, writes its own refs and leaves main's alone",
      async () => {
        repo.git('checkout', '-q', '-b', 'feature/x');
        const mainRefs = await refDigests(`${ns}/cache`, '-main');
        expect(Object.keys(mainRefs)).toHaveLength(40);
        await kit.restartFresh();
        const branch = build(['--var', 'PUSH_CACHE=true']);
        expect(branch.runs).toEqual([]);
        expect(await refDigests(`${ns}/cache`, '-main')).toEqual(mainRefs);
        expect(Object.keys(await refDigests(`${ns}/cache`, '-feature-x'))).toHaveLength(40);
      },
      SLOW,
    );
  });

  it(
    'builds a per-arch twin alone, with cache refs of its own',
    async () => {
      const r = bake(['matrix/demo.toml', 'runtime-vllm-cuda12-arm64', ...vars()]);
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const cacheTags = await tags(`${run}/cache`);
      expect(cacheTags).toEqual(expect.arrayContaining(['runtime-vllm-cuda12-arm64-main', 'backend-vllm-cuda12-arm64-main', 'base-cuda12-arm64-main']));
      expect(await platforms(`${run}/cache`, 'base-cuda12-arm64-main')).not.toContain('linux/amd64');
    },
    SLOW,
  );

  it(
    'starts a target as soon as the images it links are pushed, while a slower target of the level before still builds',
    async () => {
      // The wheel sleeps 8 s; the backend links the base only (test/fixtures/matrices/slow-sibling.toml).
      const r = bake([
        'test/fixtures/matrices/slow-sibling.toml',
        'backend-cuda12',
        'wheel-cuda12',
        '--var',
        `CACHE_REGISTRY=${REGISTRY}/sibling`,
        '--',
        '--progress=rawjson',
      ]);
      expect(r.status, logTail(r.stderr)).toBe(0);
      const steps = rawjsonVertices(r.stderr);
      // `[<target> <stage> 1/1] RUN`, or `[<stage> 1/1] RUN` in a bake of one target.
      const step = (stage: string) => steps.find((v) => new RegExp(`^\\[([a-z0-9-]+ )?${stage} \\d+/\\d+\\] RUN `).test(v.name))!;
      const wheel = step('wheel-builder');
      const backend = step('backend-build');
      expect(wheel.cached, 'the wheel ran').toBeFalsy();
      expect(backend.cached, 'the backend ran').toBeFalsy();
      expect(Date.parse(backend.started!), 'the backend started before the wheel finished').toBeLessThan(Date.parse(wheel.completed!));
    },
    SLOW,
  );

  /** Builds and pushes a fixture matrix's target to this run's registry, with a cache of its own. */
  const pushFixture = (fixture: string, target: string) => {
    const r = bake([
      `test/fixtures/matrices/${fixture}.toml`,
      target,
      '--push',
      '--var',
      `REGISTRY=${REGISTRY}`,
      '--var',
      `CACHE_REGISTRY=${REGISTRY}/${fixture}-cache`,
      '--',
      '--progress=rawjson',
    ]);
    expect(r.status, logTail(r.stderr)).toBe(0);
  };

  it(
    'gives a target the contexts that are no stage (a directory, an OCI layout), on the levels path',
    async () => {
      // test/fixtures/matrices/contexts.toml: busybox is a stage link, pinned by digest; the
      // wheel directory and the OCI layout go to bake as the matrix writes them.
      pushFixture('contexts', 'tool');
      expect(await readFile(`${run}/contexts`, 'latest-tool', 'linux/amd64', '/opt/wheels.txt')).toBe('ai_dynamo-0.0.0-py3-none-any.whl\n');
      expect(await readFile(`${run}/contexts`, 'latest-tool', 'linux/amd64', '/opt/notice.txt')).toBe('a file from an OCI layout\n');
    },
    SLOW,
  );

  it(
    "builds a composed Dockerfile (a framework's, then Dockerfile.dev appended) on the levels path",
    async () => {
      pushFixture('composed', 'dev-sglang');
      expect(await readFile(`${run}/composed`, 'latest-sglang-dev', 'linux/amd64', '/opt/dev.txt')).toBe('dev tools=gdb strace on runtime framework=sglang\n');
    },
    SLOW,
  );

  // sccache's credentials (USE_SCCACHE=true): test/e2e/secrets.test.ts builds this whole demo with
  // fake ones and searches every image, attestation, cache blob and bake file for them.

  it(
    'names the failed target and passes on the exit code',
    async () => {
      const repo = repoCopy(['matrix/demo.toml', 'dockerfiles/demo', '.dockerignore']);
      repo.edit('dockerfiles/demo/Dockerfile.framework', (t) => t.replace('echo "stage=ci', 'exit 3 && echo "stage=ci'));
      const r = bake([repo.file('matrix/demo.toml'), 'ci-vllm-cuda12', '--set', '*.platform=linux/amd64', ...vars()], {}, repo.root);
      expect(r.status).toBe(1);
      // --set *.platform=linux/amd64 builds the amd64 twins.
      expect(r.stderr).toMatch(/^matrixbake: build failed in target ci-vllm-cuda12-amd64 \(level 4\) \(docker buildx bake exited with 1\)$/m);
    },
    SLOW,
  );
});

const pick = (d: Record<string, string>, names: string[]) => Object.fromEntries(names.map((n) => [n, d[n]]));

/** The digest of each cache ref of one branch (`<key><suffix>`), from the registry. */
async function refDigests(repo: string, suffix: string): Promise<Record<string, string>> {
  const all = (await tags(repo)).filter((t) => t.endsWith(suffix));
  return Object.fromEntries(await Promise.all(all.map(async (t) => [t, (await manifest(repo, t))!.digest] as const)));
}

/** target -> digest (as far as the table prints it), from the table `matrixbake bake` ends with. */
function tableDigests(stdout: string): Record<string, string> {
  const rows = stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 4 && c.at(-1)!.startsWith('sha256:'));
  return Object.fromEntries(rows.map((c) => [c[0]!, c.at(-1)!]));
}
