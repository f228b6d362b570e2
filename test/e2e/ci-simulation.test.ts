import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanTarget } from '../../src/plan/plan.js';
import type { PushedTwin } from '../../src/release/release-plan.js';
import { changedTargets } from '../../bench/builds.js';
import { startBuildkitd, type Buildkitd } from '../support/buildkitd.js';
import { cliPath, rawjsonVertices, type Vertex } from '../support/cli-build.js';
import { compileOk } from '../support/compile.js';
import { gitRepoCopy, type GitRepo } from '../support/git-repo.js';
import { manifest, platforms, tags, type Descriptor } from '../support/registry.js';
import { requireSbomGenerator } from '../support/sbom.js';
import { requireServices } from '../support/services.js';
import { humanLines } from '../support/build-log.js';

// The test that keeps the promise honest: "the registry cache survives new commits".
//
// It runs what .github/workflows/containers.yml (and bake-level.yml per level) runs, in that
// order, on a throwaway git repository holding the demo: the plan job (`ci --levels`), each level's
// jobs at the same time, each `release <per-arch target> --phase build --only` on an empty
// buildkitd of its own (a runner of its own), the merge job on the digests every job uploaded,
// and promotion. Then a second commit changes vLLM's pin and an unrelated file, and the same
// pipeline runs again on new runners. Only vLLM's chain may run a step again.
//
// The group is cuda13 (busybox, base, wheel and the vllm, sglang and trtllm images on CUDA 13:
// 24 per-arch jobs a commit), so that the commit leaves some published images alone (sglang's,
// trtllm's) and changes others (vllm's). Both arches build on this machine; arm64 under QEMU.

const HAVE = requireServices();
const SBOM = HAVE ? requireSbomGenerator() : undefined;
const RUN_ID = `ci-sim-${Date.now().toString(36)}`;
const NS = `localhost:5000/${RUN_ID}`;
const CACHE = `${NS}/cache`;
const STAGING = `${NS}/staging`;
const RELEASE = `${NS}/release`;
const GROUP = 'cuda13';
const MATRIX = 'matrix/demo.toml';
/** The demo's stages record a random id unless this is set; CI would pin it the same way for every commit. */
const BUILD_NONCE = 'ci-simulation';
const SLOW = 25 * 60_000;

/** One job of `matrixbake ci --levels` (a `strategy.matrix.include` entry). */
interface CiJob {
  target: string;
  node: string;
  arch: string;
  platform: string;
  level: number;
  publish: boolean;
}

/** A Dockerfile step (RUN, COPY, ADD) that executed, not restored from cache. */
interface Step {
  job: string;
  /** Which of the job's builds: the link image, or the release image pushed by digest. */
  build: string;
  /** `runtime 4/8`: the stage and the step's place in it, the same on every commit. */
  position: string;
  /** As BuildKit names it; it may show arg values, so it can differ between commits. */
  instruction: string;
}

/** `runtime-vllm-cuda13-amd64 [runtime 4/8] COPY --from=backend`: a step, as compared across commits. */
const stepKey = (s: Step) => `${s.job} [${s.position}] ${/^(COPY --from=\S+|\S+)/.exec(s.instruction)![1]}`;

interface JobRun {
  job: CiJob;
  executed: Step[];
  /** The cache refs BuildKit imported, for saying why a step ran. */
  cacheImports: string[];
  /** Registry cache exports that failed: `cache-to` has ignore-error=true, so the job still passed. */
  cacheExportErrors: string[];
  /** The builds matrixbake ran again, and why: the registry failed a push, or refused the cache. */
  retries: string[];
  seconds: number;
}

/** One push of the workflow: everything a commit's pipeline left behind. */
interface Pipeline {
  sha: string;
  version: string;
  commitTime: string;
  plan: Plan;
  levels: CiJob[][];
  jobs: JobRun[];
  /** The per-arch digests the build jobs uploaded (what the merge read). */
  uploaded: PushedTwin[];
  seconds: { levels: number[]; merge: number; promote: number; total: number };
}

describe.runIf(HAVE && SBOM)('CI simulation: the registry cache survives a new commit', () => {
  const daemons = new Set<Buildkitd>();
  const scratch: string[] = [];
  let cli: string;
  let repo: GitRepo;
  let first: Pipeline;
  let second: Pipeline;

  /** A job on a runner of its own: an empty buildkitd, gone when the job ends. */
  async function onFreshRunner<T>(work: (builder: string) => Promise<T>): Promise<T> {
    const kit = await startBuildkitd();
    daemons.add(kit);
    try {
      return await work(kit.builder);
    } finally {
      daemons.delete(kit);
      await kit.stop();
    }
  }

  async function matrixbake(args: string[], builder?: string) {
    const r = await execa('node', [cli, ...args], {
      cwd: repo.root,
      env: builder ? { BUILDX_BUILDER: builder } : {},
      reject: false,
      stdin: 'ignore',
      maxBuffer: 1 << 30,
    });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  async function mustSucceed(what: string, args: string[], builder?: string) {
    const r = await matrixbake(args, builder);
    if (r.exitCode !== 0)
      throw new Error(`${what} failed (exit ${r.exitCode}): matrixbake ${args.join(' ')}\n${r.stdout}\n${humanLines(r.stderr).slice(-40).join('\n')}`);
    return r;
  }

  /** containers.yml for the commit checked out in `repo`, job by job. */
  async function runPipeline(): Promise<Pipeline> {
    const start = performance.now();
    const sha = repo.git('rev-parse', 'HEAD');
    const commitTime = repo.git('log', '-1', '--format=%ct');
    const workspace = mkdtempSync(join(tmpdir(), 'mb-ci-sim-'));
    scratch.push(workspace);

    // plan: the fan-out, and the version every job is given.
    const planned = JSON.parse((await mustSucceed('plan', ['ci', MATRIX, '--format', 'github', '--levels', '--group', GROUP])).stdout) as Record<
      string,
      { include: CiJob[] }
    >;
    const levels = Object.keys(planned)
      .sort((a, b) => Number(a.replace('level', '')) - Number(b.replace('level', '')))
      .map((k) => planned[k]!.include);
    const version = (await mustSucceed('version', ['version'])).stdout.trim();

    // level0, level1, ...: each `needs:` the one before; the jobs of a level run at once.
    const jobs: JobRun[] = [];
    const levelSeconds: number[] = [];
    for (const level of levels) {
      const t = performance.now();
      const settled = await Promise.allSettled(level.map((job) => buildJob(job, version, join(workspace, 'runners', job.target))));
      const failed = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      if (failed.length > 0) throw new Error(failed.join('\n\n'));
      jobs.push(...settled.map((s) => (s as PromiseFulfilledResult<JobRun>).value));
      levelSeconds.push((performance.now() - t) / 1000);
    }

    // merge: download-artifact `digests-*` with merge-multiple, then one release --phase merge.
    const digests = join(workspace, 'merge', 'digests');
    mkdirSync(digests, { recursive: true });
    for (const job of levels.flat().filter((j) => j.publish)) cpSync(join(workspace, 'runners', job.target, 'digests'), digests, { recursive: true });
    const uploaded = readdirSync(digests).map((f) => JSON.parse(readFileSync(join(digests, f), 'utf8')) as PushedTwin);
    let t = performance.now();
    await onFreshRunner((builder) =>
      mustSucceed('merge', ['release', MATRIX, GROUP, '--phase', 'merge', '--registry', STAGING, '--version', version, '--digests', digests], builder),
    );
    const merge = (performance.now() - t) / 1000;

    // promote (on a v* tag): the staged indexes copied by digest to the release registry.
    t = performance.now();
    await onFreshRunner((builder) =>
      mustSucceed('promote', ['promote', MATRIX, GROUP, '--from', STAGING, '--registry', RELEASE, '--version', version], builder),
    );
    const promote = (performance.now() - t) / 1000;

    const plan = (await compileOk(repo.file(MATRIX))).plan;
    return {
      sha,
      version,
      commitTime,
      plan,
      levels,
      jobs,
      uploaded,
      seconds: { levels: levelSeconds, merge, promote, total: (performance.now() - start) / 1000 },
    };
  }

  /** bake-level.yml's one step: `release <target> --phase build --only`, on an empty builder. */
  async function buildJob(job: CiJob, version: string, runnerDir: string): Promise<JobRun> {
    const t = performance.now();
    const r = await onFreshRunner((builder) =>
      matrixbake(
        [
          'release',
          MATRIX,
          job.target,
          '--phase',
          'build',
          '--only',
          '--registry',
          STAGING,
          '--version',
          version,
          '--digests',
          join(runnerDir, 'digests'),
          '--var',
          `CACHE_REGISTRY=${CACHE}`,
          '--var',
          'BRANCH=main',
          '--var',
          'PUSH_CACHE=true',
          '--var',
          `BUILD_NONCE=${BUILD_NONCE}`,
          '--sbom-generator',
          SBOM!,
          '--',
          '--progress=rawjson',
        ],
        builder,
      ),
    );
    if (r.exitCode !== 0) throw new Error(`job ${job.target} failed (exit ${r.exitCode}):\n${humanLines(r.stderr).slice(-40).join('\n')}`);
    const attempts = bakeAttempts(r.stderr);
    return {
      job,
      executed: executedSteps(job.target, attempts),
      cacheImports: attempts.flatMap((a) => a.vertices.flatMap((v) => /^importing cache manifest from (\S+)/.exec(v.name)?.[1] ?? [])),
      cacheExportErrors: cacheExportErrors(attempts),
      retries: attempts.flatMap((a) => (a.retry ? [`${a.build}: ${a.retry}`] : [])),
      seconds: (performance.now() - t) / 1000,
    };
  }

  beforeAll(async () => {
    cli = cliPath();
    repo = gitRepoCopy([MATRIX, 'dockerfiles/demo', '.dockerignore']);
    scratch.push(repo.root);
    repo.write('NOTES.md', 'Notes that no image reads.\n');
    repo.commit('A: the demo');
    first = await runPipeline();

    // Commit B: vLLM's pin moves, and a file no Dockerfile reads changes too.
    repo.edit(MATRIX, (t) => t.replace('args = { FRAMEWORK = "vllm", FRAMEWORK_REF = "v0.12.0" }', 'args = { FRAMEWORK = "vllm", FRAMEWORK_REF = "v0.12.1" }'));
    repo.edit('NOTES.md', (t) => `${t}More notes.\n`);
    repo.commit('B: vllm v0.12.1');
    second = await runPipeline();

    for (const [name, p] of [
      ['commit A', first],
      ['commit B', second],
    ] as const) {
      const steps = p.jobs.reduce((n, j) => n + j.executed.length, 0);
      const slowest = [...p.jobs].sort((x, y) => y.seconds - x.seconds)[0]!;
      console.log(
        `${name} (${p.sha.slice(0, 9)}, ${p.version}): ${p.jobs.length} jobs in ${p.levels.length} levels, ${steps} steps executed; levels ${p.seconds.levels.map((s) => `${s.toFixed(0)} s`).join(' + ')} (slowest job ${slowest.job.target} ${slowest.seconds.toFixed(0)} s), merge ${p.seconds.merge.toFixed(0)} s, promote ${p.seconds.promote.toFixed(0)} s, total ${p.seconds.total.toFixed(0)} s`,
      );
      for (const j of p.jobs) for (const r of j.retries) console.log(`${name}: ${j.job.target} ran its ${r}`);
    }
  }, SLOW);

  afterAll(async () => {
    await Promise.all([...daemons].map((kit) => kit.stop()));
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the jobs the plan lists, level by level, each linking only earlier levels', () => {
    for (const p of [first, second]) {
      expect(p.jobs.map((j) => j.job.target).sort()).toEqual(
        p.plan.targets
          .filter((t) => t.arch !== undefined && inGroupClosure(p.plan, GROUP).has(t.name))
          .map((t) => t.name)
          .sort(),
      );
      for (const [level, jobs] of p.levels.entries()) {
        for (const job of jobs) {
          const linked = twin(p.plan, job.target).links.map((l) => l.target);
          expect(
            linked.every((l) =>
              p.levels
                .slice(0, level)
                .flat()
                .some((j) => j.target === l),
            ),
            `${job.target} at level ${level} links ${linked.join(', ')}`,
          ).toBe(true);
        }
      }
    }
  });

  it('builds the first commit from nothing: every job runs its own steps, the release image reuses the link build', () => {
    for (const j of first.jobs) {
      expect(j.executed.filter((s) => s.instruction.startsWith('RUN ')).length, `${j.job.target} ran ${describeSteps(j.executed)}`).toBeGreaterThan(0);
      expect(
        j.executed.filter((s) => s.build === 'release image'),
        j.job.target,
      ).toEqual([]);
    }
  });

  it("saves every job's registry cache (a refused export, ignored by the build, would make the next commit rebuild)", () => {
    for (const p of [first, second]) for (const j of p.jobs) expect(j.cacheExportErrors, `${j.job.target} on ${p.version}`).toEqual([]);
  });

  it("after a commit that changes vLLM's pin, runs again only the steps that read what changed: every other job restores every step from the registry cache", () => {
    const changed = changedTwins(first.plan, second.plan);
    const expected = expectedRerun(first, second.plan);
    const executed = second.jobs.flatMap((j) => j.executed);
    // What the expectation rests on: the changed jobs are vLLM's CUDA 13 chain, each with work to redo.
    expect([...new Set(expected.map((s) => s.job))].sort()).toEqual(
      second.jobs
        .map((j) => j.job.target)
        .filter((t) => changed.has(t))
        .sort(),
    );
    expect([...new Set(expected.map((s) => s.job))].sort()).toEqual(
      ['backend', 'runtime', 'ci'].flatMap((stage) => ['amd64', 'arm64'].map((arch) => `${stage}-vllm-cuda13-${arch}`)).sort(),
    );
    console.log(
      `commit B: ${executed.length} steps executed, ${expected.length} expected (${expected.filter((s) => s.instruction.startsWith('RUN ')).length} RUN, ${expected.filter((s) => s.instruction.startsWith('COPY ')).length} COPY)`,
    );
    expect(executed.map(stepKey).sort(), whyRerun(second, expected)).toEqual(expected.map(stepKey).sort());
  });

  it('merges every published image into a multi-arch tag (linux/amd64 + linux/arm64) that names its commit', async () => {
    for (const p of [first, second]) {
      for (const node of publishedNodes(p)) {
        const tag = `${p.version}-${node.tagSuffix}`;
        expect((await platforms(`${RUN_ID}/staging/dynamo`, tag)).sort(), tag).toEqual(['linux/amd64', 'linux/arm64']);
        const annotations = (await manifest(`${RUN_ID}/staging/dynamo`, tag))!.body.annotations as Record<string, string>;
        expect(annotations['org.opencontainers.image.version'], tag).toBe(p.version);
        expect(
          p.sha.startsWith(annotations['org.opencontainers.image.revision']!),
          `${tag} revision ${annotations['org.opencontainers.image.revision']} of ${p.sha}`,
        ).toBe(true);
        expect(annotations['org.opencontainers.image.created'], tag).toBe(new Date(Number(p.commitTime) * 1000).toISOString());
      }
    }
    expect(second.version).not.toBe(first.version);
  });

  it('merges exactly the per-arch images the build jobs pushed by digest', async () => {
    for (const p of [first, second]) {
      expect(p.uploaded.map((u) => u.target).sort()).toEqual(
        p.levels
          .flat()
          .filter((j) => j.publish)
          .map((j) => j.target)
          .sort(),
      );
      for (const u of p.uploaded) {
        // A job pushes its image with its provenance and SBOM: an index of one image and its attestations.
        const pushed = (await manifest(`${RUN_ID}/staging/dynamo`, u.digest))!;
        const image = Array.isArray(pushed.body.manifests)
          ? (pushed.body.manifests as Descriptor[]).find((d) => d.platform?.os !== 'unknown')!.digest
          : pushed.digest;
        const node = twin(p.plan, u.target).node;
        expect((await platformDigests(`${p.version}-${twin(p.plan, node).tagSuffix}`))[u.platform], `${u.target} on ${p.version}`).toBe(image);
      }
    }
  });

  it('publishes the same platform images for what the commit did not change, and new ones for what it did', async () => {
    const changed = changedTwins(first.plan, second.plan);
    const verdicts: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const node of publishedNodes(second)) {
      const before = await platformDigests(`${first.version}-${node.tagSuffix}`);
      const after = await platformDigests(`${second.version}-${node.tagSuffix}`);
      for (const t of second.plan.targets.filter((x) => x.node === node.name && x.arch !== undefined)) {
        const key = `${node.name} ${t.platforms[0]}`;
        verdicts[key] = before[t.platforms[0]!] === after[t.platforms[0]!] ? 'same image' : 'new image';
        expected[key] = changed.has(t.name) ? 'new image' : 'same image';
      }
    }
    console.log(
      `platform images across the commits: ${Object.entries(verdicts)
        .map(([k, v]) => `${k}: ${v}`)
        .join('; ')}`,
    );
    expect(Object.values(expected)).toContain('same image');
    expect(verdicts).toEqual(expected);
  });

  it('pins the next level to the same link image bytes for what the commit did not change', async () => {
    const changed = changedTwins(first.plan, second.plan);
    const cacheTags = await tags(`${RUN_ID}/cache`);
    const linkDigest = async (p: Pipeline, target: string) => {
      const tag = cacheTags.find((t) => t.startsWith(`link-${target}-`) && p.sha.startsWith(t.slice(`link-${target}-`.length)));
      return tag && (await manifest(`${RUN_ID}/cache`, tag))!.digest;
    };
    const verdicts: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const j of second.jobs) {
      const [before, after] = [await linkDigest(first, j.job.target), await linkDigest(second, j.job.target)];
      if (!before && !after) continue; // nothing links it (ci): no link image
      verdicts[j.job.target] = before === after ? 'same image' : 'new image';
      expected[j.job.target] = changed.has(j.job.target) ? 'new image' : 'same image';
    }
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    expect(verdicts).toEqual(expected);
  });

  it('promotes by digest: every release tag is the staged index', async () => {
    for (const p of [first, second]) {
      for (const node of publishedNodes(p)) {
        const staged = (await manifest(`${RUN_ID}/staging/dynamo`, `${p.version}-${node.tagSuffix}`))!.digest;
        expect((await manifest(`${RUN_ID}/release/dynamo`, `${p.version}-${node.tagSuffix}`))?.digest, `${node.name} ${p.version}`).toBe(staged);
        if (p === second) expect((await manifest(`${RUN_ID}/release/dynamo`, `latest-${node.tagSuffix}`))?.digest, `${node.name} latest`).toBe(staged);
      }
    }
  });

  /** os/arch -> the platform image's digest, in the staged index under tag. */
  async function platformDigests(tag: string): Promise<Record<string, string>> {
    const index = (await manifest(`${RUN_ID}/staging/dynamo`, tag))!.body.manifests as Descriptor[];
    return Object.fromEntries(index.filter((d) => d.platform?.os !== 'unknown').map((d) => [`${d.platform!.os}/${d.platform!.architecture}`, d.digest]));
  }
});

/** One run of `docker buildx bake` in a job: the link image or the release image, and its rawjson. */
interface BakeAttempt {
  build: string;
  /** Why matrixbake ran this build again (a push the registry failed, a refused cache), or undefined for its first run. */
  retry?: string;
  vertices: Vertex[];
}

const RETRY = /^matrixbake: (the registry failed a push|the registry refused the cache of \S+ .*); (?:running the same bake|exporting it) once more/;

/**
 * A job's bakes, from its stderr: `matrixbake: job <name> (...)` starts a build, a retry line
 * (src/run/retry.ts, src/run/release-twins.ts) starts that build's next run.
 */
function bakeAttempts(stderr: string): BakeAttempt[] {
  const out: BakeAttempt[] = [];
  // What comes before the first job line (the links looked up in the registry) is no build.
  let current: Omit<BakeAttempt, 'vertices'> | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (current) out.push({ ...current, vertices: rawjsonVertices(lines.join('\n')) });
    lines = [];
  };
  for (const line of stderr.split('\n')) {
    const job = /^matrixbake: job (\S+) \(level \d+(?:, (link image|release image by digest))?\)/.exec(line);
    const retry = RETRY.exec(line);
    if (job) {
      flush();
      current = { build: job[2] === 'release image by digest' ? 'release image' : 'link image' };
    } else if (retry) {
      flush();
      current = { build: current?.build ?? 'link image', retry: retry[1]! };
    } else lines.push(line);
  }
  flush();
  return out;
}

/** The Dockerfile steps a job executed, in every run of each of its builds (a retried run's steps were executed too). */
function executedSteps(job: string, attempts: BakeAttempt[]): Step[] {
  return attempts.flatMap(({ build, vertices }) =>
    vertices.flatMap((v) => {
      const m = /^\[([^\]]+)\] ((?:RUN|COPY|ADD) .*)$/s.exec(v.name);
      return m && v.completed && !v.cached ? [{ job, build, position: m[1]!, instruction: m[2]! }] : [];
    }),
  );
}

/**
 * The registry cache exports that failed in the last run of each build: that run's export is the
 * cache the next commit finds. An earlier run's export fails with it when its push fails
 * (BuildKit cancels the cache export beside a failed image push: "context canceled").
 */
function cacheExportErrors(attempts: BakeAttempt[]): string[] {
  const last = new Map(attempts.map((a) => [a.build, a]));
  return [...last.values()].flatMap((a) => a.vertices.flatMap((v) => (/exporting cache to /.test(v.name) && v.error ? [`${v.name}: ${v.error}`] : [])));
}

/**
 * The per-arch targets a commit changes: those whose args changed, and every target that links
 * one of them (bench/builds.ts changedTargets, on the twins CI builds).
 */
function changedTwins(before: Plan, after: Plan): Set<string> {
  return changedTargets(before, after, (t) => t.arch !== undefined);
}

/**
 * What the second commit must run again, out of what the first commit ran (from nothing, so every
 * step): in each changed target, its RUNs (they read the changed args or follow a changed layer),
 * and the COPYs that copy from a changed target; a COPY from an unchanged one is restored. In the
 * demo's Dockerfiles the COPYs from unchanged stages come first, so this is exactly BuildKit's rule
 * (a step reruns when it or a step before it reads something that changed).
 */
function expectedRerun(first: Pipeline, after: Plan): Step[] {
  const changed = changedTwins(first.plan, after);
  return first.jobs.flatMap((j) => {
    if (!changed.has(j.job.target)) return [];
    const links = twin(after, j.job.target).links;
    return j.executed.filter((s) => {
      if (s.instruction.startsWith('RUN ')) return true;
      const from = /^COPY --from=(\S+) /.exec(s.instruction)?.[1];
      return from !== undefined && links.some((l) => l.context === from && changed.has(l.target));
    });
  });
}

/** For a failure message: each job whose executed steps differ from the expected, with the cache refs it imported. */
function whyRerun(p: Pipeline, expected: Step[]): string {
  const want = new Set(expected.map(stepKey));
  return p.jobs
    .filter(
      (j) =>
        j.executed.some((s) => !want.has(stepKey(s))) || expected.some((s) => s.job === j.job.target && !j.executed.some((e) => stepKey(e) === stepKey(s))),
    )
    .map(
      (j) =>
        `${j.job.target}: ran ${describeSteps(j.executed)}; imported ${j.cacheImports.join(', ') || 'no cache'}${j.cacheExportErrors.length > 0 ? `; cache export failed: ${j.cacheExportErrors.join('; ')}` : ''}${j.retries.length > 0 ? `; ran again: ${j.retries.join('; ')}` : ''}`,
    )
    .join('\n');
}

function describeSteps(steps: Step[]): string {
  return steps.length === 0 ? 'nothing' : steps.map((s) => `[${s.build}] [${s.position}] ${s.instruction.slice(0, 80)}`).join(' | ');
}

function publishedNodes(p: Pipeline): PlanTarget[] {
  const nodes = new Set(
    p.levels
      .flat()
      .filter((j) => j.publish)
      .map((j) => j.node),
  );
  return p.plan.targets.filter((t) => nodes.has(t.name) && t.arch === undefined);
}

function twin(plan: Plan, name: string): PlanTarget {
  const t = plan.targets.find((x) => x.name === name);
  if (!t) throw new Error(`no target ${name} in the plan`);
  return t;
}

/** The group's nodes and everything they link, as per-arch twins' names and node names. */
function inGroupClosure(plan: Plan, group: string): Set<string> {
  const names = new Set(plan.groups.find((g) => g.name === group)!.targets);
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name)) return;
    out.add(name);
    for (const l of twin(plan, name).links) visit(l.target);
  };
  for (const t of plan.targets) if (t.arch !== undefined && names.has(t.node)) visit(t.name);
  return out;
}
