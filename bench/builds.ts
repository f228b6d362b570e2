import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compileMatrix, type Compiled } from '../src/compile.js';
import { formatDiagnostic } from '../src/diagnostics.js';
import type { Plan, PlanTarget } from '../src/plan/plan.js';
import type { Command } from '../src/run/exec.js';
import type { Buildkitd } from '../test/support/buildkitd.js';
import { executedRuns, rawjsonVertices, type Vertex } from '../test/support/cli-build.js';
import { manifest, tags } from '../test/support/registry.js';
import { baselineBuilds } from './baseline.js';
import { benchRepo, cleanEnv, MATRIX_PATH, type BenchRepo } from './repo.js';

// One repetition of the build figures. Every matrixbake build runs in the bench's own git
// repository (bench/repo.ts: commit A, then B = A + an unrelated file, a branch, C = B with one
// framework's pin changed), except `make bake`, which runs in this repository exactly as a user
// types it. BuildKit is a private daemon, wiped (state deleted, restarted) before every cold
// build and every read from the registry cache. Steps are read from buildx's --progress=rawjson.

export interface StepCount {
  cached: number;
  all: number;
}

/** One build on a wiped builder from the registry cache: what it asked for, its Dockerfile steps. */
interface TargetSteps extends StepCount {
  target: string;
}

/** The cache refs a branch build must leave alone: how many, and which it changed (or added, or removed). */
export interface RefCheck {
  /** `<target>-main` refs in the cache repository before the branch build. */
  main_refs: number;
  /** main refs whose manifest digest differs after it (or that appeared or vanished). */
  main_refs_rewritten: string[];
  /** `<target>-feature-x` refs after it: the branch's own. */
  branch_refs_written: number;
}

export interface BuildRep {
  /** The default path (a cache registry: levels), wiped builder, no cache to read. */
  cold_ms: number;
  /** The same again on that builder. */
  warm_ms: number;
  cold_one_bake_ms: number;
  warm_one_bake_ms: number;
  sequential_ms: number;
  critical_path_ms: number;
  base_runs: number;
  base_cells: number;
  baseline_base_runs: number;
  /** vllm's ref changed, on the warm builder (default path). */
  changed_rebuilt_steps: number;
  changed_expected_steps: number;
  changed_rebuilt: string[];
  /** Wiped builder, same commit as the fill (default path). */
  fresh_ms: number;
  fresh: StepCount;
  /** The same with --one-bake (filled with --one-bake). */
  fresh_plain_ms: number;
  fresh_plain: StepCount;
  /** Commit B (A + an unrelated file), wiped builder, the cache commit A filled. */
  next_commit_ms: number;
  next_commit: StepCount;
  /** Commit B on branch feature/x, wiped builder, PUSH_CACHE=true. */
  branch_first_ms: number;
  branch_first: StepCount;
  branch_refs: RefCheck;
  /** Commit C (vllm's pin changed), wiped builder, the cache commit A filled: RUN steps that ran. */
  changed_next_commit_rebuilt_steps: number;
  changed_next_commit_rebuilt: string[];
  /** `make bake MATRIX=... TARGET=all` in this repository, wiped builder, its cache filled just before. */
  default_path_fresh_ms: number;
  default_path_fresh: StepCount;
  /** The line matrixbake printed about the way it built (levels or one bake). */
  default_path_line: string;
  /** `bake all` (default path), wiped builder, from the cache `bake all --one-bake` pushed (node refs only). */
  default_from_one_bake: StepCount;
  /** Leaf twins (`ci-*-amd64`), each alone on a wiped builder, from what `bake all` pushed. */
  twin_from_node: TargetSteps[];
  twin_from_node_one_bake: TargetSteps[];
  /** Leaf nodes (`ci-*`), each alone on a wiped builder, from what CI's per-twin jobs pushed. */
  node_from_twin: TargetSteps[];
  node_from_twin_one_bake: TargetSteps[];
  /** How the twins' cache was filled: CI's `release <twin> --phase build --only` jobs, or `bake <twin>` (no SBOM generator). */
  twin_fill: 'release' | 'bake';
  /** The bench repository's commits: A (the fill), B (+ an unrelated file), C (vllm's pin changed). */
  commits: { a: string; b: string; c: string };
}

export interface BuildBench {
  /** This repository: where `make bake` runs, and where the bench files are copied from. */
  root: string;
  /** The bench matrix (bench/bench.toml, or --quick's zero-work copy under bench/.work). */
  matrix: string;
  cli: string;
  /** buildx as the CLI finds it (src/run/exec.ts buildxCommand). */
  buildx: Command;
  kit: Buildkitd;
  /** Unique per repetition: registry repositories no earlier run wrote. */
  id: string;
  /** The SBOM generator image release jobs attach SBOMs with; without one the twins are filled by `bake`. */
  sbomGenerator?: string;
  log: (line: string) => void;
}

type Path = 'levels' | 'one bake';

/** The figures' framework whose pin changes. */
const CHANGED_FRAMEWORK = 'vllm';
/** The branch of the branch figure; its cache refs end in `-feature-x`. */
const BRANCH = 'feature/x';

export async function buildRep(b: BuildBench): Promise<BuildRep> {
  const matrixText = readFileSync(b.matrix, 'utf8');
  const plan = (await compileOrThrow(b.matrix)).plan;
  const repo = benchRepo(b.root, matrixText);
  try {
    return await measure(b, repo, plan, matrixText);
  } finally {
    repo.remove();
  }
}

async function measure(b: BuildBench, repo: BenchRepo, plan: Plan, matrixText: string): Promise<BuildRep> {
  const cache = (name: string) => `localhost:5000/bench-${b.id}/${name}`;
  /** `matrixbake bake` in the bench repository; `expect` is the way it must say it builds. */
  const bake = (matrix: string, args: string[], vars: Record<string, string>, expect: Path) => {
    const flags = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
    return run(b, { file: 'node', args: [b.cli, 'bake', matrix, ...args, ...flags, '--', '--progress=rawjson'], cwd: repo.root, expect });
  };
  const steps = (r: Ran) => {
    const c = dockerfileSteps(rawjsonVertices(r.stderr));
    b.log(`    ${c.cached}/${c.all} RUN/COPY steps from cache`);
    return c;
  };
  const wiped = async <T>(f: () => T | Promise<T>): Promise<T> => {
    await b.kit.restartFresh();
    return f();
  };
  /** Each target alone on a wiped builder: CI's one job per target, or a developer's `bake <target>`. */
  const eachFresh = async (targets: string[], args: string[], vars: Record<string, string>, expect: Path): Promise<TargetSteps[]> => {
    const out: TargetSteps[] = [];
    for (const t of targets) out.push({ target: t, ...steps(await wiped(() => bake(repo.matrix, [t, ...args], vars, expect))) });
    return out;
  };
  const commitA = repo.head();

  // Cold and warm on the default path; then one framework's ref changes on the warm builder.
  const cold = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('cold') }, 'levels'));
  const coldRuns = executedRuns(rawjsonVertices(cold.stderr));
  const warm = bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('cold') }, 'levels');
  const changedMatrix = join(repo.root, 'bench/.work/changed.toml');
  mkdirSync(join(repo.root, 'bench/.work'), { recursive: true });
  writeFileSync(changedMatrix, changedRefText(matrixText, CHANGED_FRAMEWORK));
  const changedPlan = (await compileOrThrow(changedMatrix)).plan;
  const changed = bake(changedMatrix, ['all'], { CACHE_REGISTRY: cache('cold') }, 'levels');
  const rebuilt = executedRuns(rawjsonVertices(changed.stderr));
  b.log(`    ${rebuilt.length} RUN steps ran`);
  rmSync(join(repo.root, 'bench/.work'), { recursive: true, force: true });

  // The registry cache at commit A, default path: every read below on the default path uses it.
  await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('shared'), PUSH_CACHE: 'true' }, 'levels'));
  // ... and the matrix's own cache registry, from this repository, for `make bake` (same builder).
  const userMatrix = relative(b.root, b.matrix);
  run(b, { file: 'node', args: [b.cli, 'bake', userMatrix, 'all', '--var', 'PUSH_CACHE=true', '--', '--progress=rawjson'], cwd: b.root, expect: 'levels' });

  const fresh = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('shared') }, 'levels'));
  const freshSteps = steps(fresh);
  const twinFromNode = await eachFresh(leaves(plan, 'twins'), [], { CACHE_REGISTRY: cache('shared') }, 'levels');
  // A new user: `make bake` with nothing but the matrix and the target.
  const makeBake = await wiped(() =>
    run(b, {
      file: 'make',
      args: [
        '--no-print-directory',
        '-C',
        b.root,
        '-o',
        'dist/cli.js',
        'bake',
        `CLI=node ${b.cli}`,
        `MATRIX=${userMatrix}`,
        'TARGET=all',
        'ARGS=-- --progress=rawjson',
      ],
      cwd: b.root,
      expect: 'levels',
    }),
  );
  const makeBakeSteps = steps(makeBake);

  // Commit B: nothing a target reads changed.
  const commitB = repo.commit('NOTES.txt', 'a file no target reads\n', 'B: an unrelated file');
  const nextCommit = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('shared') }, 'levels'));
  const nextCommitSteps = steps(nextCommit);

  // The first build of a new branch writes the branch's refs, reads main's, and leaves main's alone.
  repo.git(['checkout', '-q', '-b', BRANCH]);
  const before = await cacheRefs(cache('shared'));
  const branch = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('shared'), PUSH_CACHE: 'true' }, 'levels'));
  const branchSteps = steps(branch);
  const after = await cacheRefs(cache('shared'));
  repo.git(['checkout', '-q', 'main']);
  const branchSuffix = BRANCH.replace(/[^A-Za-z0-9_.-]/g, '-');

  // Commit C: one framework's pin; a builder with nothing but the registry cache, as CI has.
  const commitC = repo.commit(MATRIX_PATH, changedRefText(matrixText, CHANGED_FRAMEWORK), `C: ${CHANGED_FRAMEWORK} pin changed`);
  const changedCommit = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('shared') }, 'levels'));
  const rebuiltNext = executedRuns(rawjsonVertices(changedCommit.stderr));
  b.log(`    ${rebuiltNext.length} RUN steps ran`);
  repo.git(['reset', '-q', '--hard', commitB]);

  // The same on the one-bake path (`target:` links in one bake).
  const coldPlain = await wiped(() => bake(repo.matrix, ['all', '--one-bake'], { CACHE_REGISTRY: cache('cold-plain') }, 'one bake'));
  const warmPlain = bake(repo.matrix, ['all', '--one-bake'], { CACHE_REGISTRY: cache('cold-plain') }, 'one bake');
  await wiped(() => bake(repo.matrix, ['all', '--one-bake'], { CACHE_REGISTRY: cache('plain'), PUSH_CACHE: 'true' }, 'one bake'));
  const freshPlain = await wiped(() => bake(repo.matrix, ['all', '--one-bake'], { CACHE_REGISTRY: cache('plain') }, 'one bake'));
  const freshPlainSteps = steps(freshPlain);
  const twinFromNodePlain = await eachFresh(leaves(plan, 'twins'), ['--one-bake'], { CACHE_REGISTRY: cache('plain') }, 'one bake');
  // Across the two ways: the default path (twins, links by digest) from the node refs --one-bake wrote.
  const defaultFromPlain = await wiped(() => bake(repo.matrix, ['all'], { CACHE_REGISTRY: cache('plain') }, 'levels'));
  const defaultFromPlainSteps = steps(defaultFromPlain);

  // The twins' cache as CI writes it: one job per per-arch target, level by level; then nodes read it.
  const twinFill = await wiped(() => fillTwins(b, repo, cache('twins')));
  const nodeFromTwin = await eachFresh(leaves(plan, 'nodes'), [], { CACHE_REGISTRY: cache('twins') }, 'levels');
  const nodeFromTwinPlain = await eachFresh(leaves(plan, 'nodes'), ['--one-bake'], { CACHE_REGISTRY: cache('twins') }, 'one bake');

  const sequential = await wiped(() => baseline(b, repo, plan));

  return {
    cold_ms: cold.ms,
    warm_ms: warm.ms,
    cold_one_bake_ms: coldPlain.ms,
    warm_one_bake_ms: warmPlain.ms,
    sequential_ms: sequential.ms,
    critical_path_ms: criticalPathSeconds(plan) * 1000,
    base_runs: coldRuns.filter((v) => v.name.includes('stage=base ')).length,
    base_cells: plan.targets.filter((t) => t.arch === undefined && t.stage === 'base').reduce((n, t) => n + t.archs.length, 0),
    baseline_base_runs: sequential.baseRuns,
    changed_rebuilt_steps: rebuilt.length,
    changed_expected_steps: changedNodes(plan, changedPlan).length,
    changed_rebuilt: rebuilt.map(stepLabel),
    fresh_ms: fresh.ms,
    fresh: freshSteps,
    fresh_plain_ms: freshPlain.ms,
    fresh_plain: freshPlainSteps,
    next_commit_ms: nextCommit.ms,
    next_commit: nextCommitSteps,
    branch_first_ms: branch.ms,
    branch_first: branchSteps,
    branch_refs: refCheck(before, after, 'main', branchSuffix),
    changed_next_commit_rebuilt_steps: rebuiltNext.length,
    changed_next_commit_rebuilt: rebuiltNext.map(stepLabel),
    default_path_fresh_ms: makeBake.ms,
    default_path_fresh: makeBakeSteps,
    default_path_line: makeBake.pathLine,
    default_from_one_bake: defaultFromPlainSteps,
    twin_from_node: twinFromNode,
    twin_from_node_one_bake: twinFromNodePlain,
    node_from_twin: nodeFromTwin,
    node_from_twin_one_bake: nodeFromTwinPlain,
    twin_fill: twinFill,
    commits: { a: commitA, b: commitB, c: commitC },
  };
}

/** The longest chain of stage work through the links (seconds): nothing can build faster. */
export function criticalPathSeconds(plan: Plan): number {
  const nodes = new Map(plan.targets.filter((t) => t.arch === undefined).map((t) => [t.name, t]));
  const memo = new Map<string, number>();
  const finish = (t: PlanTarget): number => {
    if (!memo.has(t.name)) memo.set(t.name, work(t) + Math.max(0, ...t.links.map((l) => finish(nodes.get(l.target)!))));
    return memo.get(t.name)!;
  };
  return Math.max(...[...nodes.values()].map(finish));
}

const work = (t: PlanTarget) => Number(t.args.find((a) => a.name === 'WORK_SECONDS')?.value ?? 0);

/** Nodes whose args changed, and every node that links one of them. */
export function changedNodes(before: Plan, after: Plan): string[] {
  return [...changedTargets(before, after, (t) => t.arch === undefined)];
}

/** The targets `keep` picks whose args changed, and every one of them that links one of those. */
export function changedTargets(before: Plan, after: Plan, keep: (t: PlanTarget) => boolean): Set<string> {
  const old = new Map(before.targets.map((t) => [t.name, JSON.stringify(t.args)]));
  const kept = after.targets.filter(keep);
  const changed = new Set(kept.filter((t) => old.get(t.name) !== JSON.stringify(t.args)).map((t) => t.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of kept) {
      if (!changed.has(t.name) && t.links.some((l) => changed.has(l.target))) {
        changed.add(t.name);
        grew = true;
      }
    }
  }
  return changed;
}

/**
 * The targets nothing links, nodes or per-arch twins: built one by one, each with everything it
 * links, they cover every target of their kind (`ci-*`, `ci-*-amd64` in the bench matrix).
 */
export function leaves(plan: Plan, kind: 'nodes' | 'twins'): string[] {
  const ofKind = plan.targets.filter((t) => (kind === 'nodes' ? t.arch === undefined : t.arch !== undefined));
  const linked = new Set(ofKind.flatMap((t) => t.links.map((l) => l.target)));
  return ofKind.filter((t) => !linked.has(t.name)).map((t) => t.name);
}

/** Dockerfile instructions that do work (RUN, COPY, ADD): how many completed, how many from cache. */
export function dockerfileSteps(vs: Vertex[]): StepCount {
  const steps = vs.filter((v) => v.completed && /^\[[^\]]+\] (RUN|COPY|ADD) /.test(v.name));
  return { cached: steps.filter((v) => v.cached).length, all: steps.length };
}

/** Several builds' steps as one count. */
export function totalSteps(counts: StepCount[]): StepCount {
  return counts.reduce((s, c) => ({ cached: s.cached + c.cached, all: s.all + c.all }), { cached: 0, all: 0 });
}

/** cached / all; an empty count is not a hit ratio. */
export function hitRatio(c: StepCount): number {
  if (c.all === 0) throw new Error('no Dockerfile step completed: nothing to take a hit ratio of');
  return c.cached / c.all;
}

/** The matrix with one framework's ref changed: its backends and everything after them must rebuild. */
export function changedRefText(text: string, framework: string): string {
  const section = `[axis.framework.values.${framework}]\nargs = { FRAMEWORK = "${framework}", FRAMEWORK_REF = "`;
  if (!text.includes(section)) throw new Error(`the bench matrix has no ${section}...`);
  return text.replace(section, `${section}changed-`);
}

/** Registry cache refs (tag -> manifest digest) of a cache repository, link images left out. */
async function cacheRefs(cacheRepo: string): Promise<Map<string, string>> {
  const repo = cacheRepo.replace(/^localhost:5000\//, '');
  const out = new Map<string, string>();
  for (const tag of (await tags(repo)).filter((t) => !t.startsWith('link-')).sort()) {
    const m = await manifest(repo, tag);
    if (m) out.set(tag, m.digest);
  }
  return out;
}

/** What a branch build did to the cache refs: main's must be as they were; the branch's are new. */
export function refCheck(before: Map<string, string>, after: Map<string, string>, main: string, branch: string): RefCheck {
  const ofMain = (m: Map<string, string>) => [...m.keys()].filter((t) => t.endsWith(`-${main}`));
  const mainTags = new Set([...ofMain(before), ...ofMain(after)]);
  return {
    main_refs: ofMain(before).length,
    main_refs_rewritten: [...mainTags].filter((t) => before.get(t) !== after.get(t)).sort(),
    branch_refs_written: [...after.keys()].filter((t) => t.endsWith(`-${branch}`) && before.get(t) !== after.get(t)).length,
  };
}

/**
 * The per-arch twins' cache as CI writes it (.github/workflows/bake-level.yml): the jobs of
 * `matrixbake ci --levels`, one `release <twin> --phase build --only` each, a level's jobs at
 * once, level after level, PUSH_CACHE=true. Without an SBOM generator (release attaches SBOMs),
 * `bake <twin>` with PUSH_CACHE=true for every twin instead.
 */
async function fillTwins(b: BuildBench, repo: BenchRepo, cacheRepo: string): Promise<'release' | 'bake'> {
  const ci = run(b, { file: 'node', args: [b.cli, 'ci', repo.matrix, '--levels', '--format', 'github'], cwd: repo.root, quiet: true });
  const levels = Object.entries(JSON.parse(ci.stdout) as Record<string, { include: { target: string }[] }>)
    .sort(([a], [c]) => Number(a.replace(/\D/g, '')) - Number(c.replace(/\D/g, '')))
    .map(([, l]) => l.include.map((j) => j.target));
  const digests = mkdtempSync(join(tmpdir(), 'mb-bench-digests-'));
  try {
    for (const level of levels) {
      await Promise.all(
        level.map((target) =>
          b.sbomGenerator
            ? runAsync(
                b,
                'node',
                [
                  b.cli,
                  'release',
                  repo.matrix,
                  target,
                  '--phase',
                  'build',
                  '--only',
                  '--registry',
                  `localhost:5000/bench-${b.id}/staging`,
                  '--version',
                  'bench',
                  '--digests',
                  digests,
                  '--sbom-generator',
                  b.sbomGenerator,
                  '--var',
                  `CACHE_REGISTRY=${cacheRepo}`,
                  '--var',
                  'PUSH_CACHE=true',
                ],
                repo.root,
              )
            : runAsync(b, 'node', [b.cli, 'bake', repo.matrix, target, '--var', `CACHE_REGISTRY=${cacheRepo}`, '--var', 'PUSH_CACHE=true'], repo.root),
        ),
      );
    }
  } finally {
    rmSync(digests, { recursive: true, force: true });
  }
  return b.sbomGenerator ? 'release' : 'bake';
}

function baseline(b: BuildBench, repo: BenchRepo, plan: Plan): { ms: number; baseRuns: number } {
  const builds = baselineBuilds(plan, repo.root, join(repo.root, 'bench/.work/baseline'));
  let ms = 0;
  let baseRuns = 0;
  for (const build of builds) {
    const args = Object.entries(build.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const r = run(b, {
      file: b.buildx.file,
      args: [...b.buildx.args, 'build', '--platform', 'linux/amd64', '-f', build.dockerfile, '--target', build.target, ...args, '--progress=rawjson', '.'],
      cwd: repo.root,
    });
    ms += r.ms;
    baseRuns += executedRuns(rawjsonVertices(r.stderr)).filter((v) => v.name.includes('stage=base ')).length;
  }
  return { ms, baseRuns };
}

/** `[base-cuda12-amd64 demo-base 2/2] RUN ...` -> `base-cuda12-amd64 demo-base 2/2`. */
const stepLabel = (v: Vertex) => v.name.replace(/^\[([^\]]+)\].*/s, '$1');

interface Ran {
  ms: number;
  stdout: string;
  stderr: string;
  /** matrixbake's line about the way it builds (`matrixbake: levels: ...`, `matrixbake: one bake: ...`), or ''. */
  pathLine: string;
}

/** The way a bake took, from matrixbake's own line about it. */
export function bakePath(stderr: string): { path?: Path; line: string } {
  const line = stderr.split('\n').find((l) => /^matrixbake: (levels|one bake):/.test(l)) ?? '';
  const path = line.startsWith('matrixbake: levels:') ? 'levels' : line.startsWith('matrixbake: one bake:') ? 'one bake' : undefined;
  return { ...(path ? { path } : {}), line };
}

function run(b: BuildBench, c: { file: string; args: string[]; cwd: string; expect?: Path; quiet?: boolean }): Ran {
  const t = performance.now();
  const r = spawnSync(c.file, c.args, { cwd: c.cwd, encoding: 'utf8', env: cleanEnv({ BUILDX_BUILDER: b.kit.builder }), maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  const shown = (s: string) =>
    s
      .split('\n')
      .filter((l) => !l.startsWith('{'))
      .slice(-20)
      .join('\n');
  if (r.status !== 0) throw new Error(`${[c.file, ...c.args].join(' ')} (in ${c.cwd}) exited ${r.status}:\n${shown(r.stderr)}\n${shown(r.stdout)}`);
  const { path, line } = bakePath(r.stderr);
  // A figure about one way of building must not silently measure the other.
  if (c.expect && path !== undefined && path !== c.expect)
    throw new Error(`${[c.file, ...c.args].join(' ')}: expected the ${c.expect} path, matrixbake says: ${line}`);
  if (c.expect && path === undefined) b.log(`  warning: no "matrixbake: levels|one bake:" line: the path taken is not known`);
  if (!c.quiet) b.log(`  ${(ms / 1000).toFixed(1)} s  ${describe(b, c.file, c.args)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr, pathLine: line };
}

/** A process of a level's jobs, run at once with the others of its level. */
function runAsync(b: BuildBench, file: string, args: string[], cwd: string): Promise<void> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: cleanEnv({ BUILDX_BUILDER: b.kit.builder }), stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (d: Buffer) => {
      tail = (tail + d.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${[file, ...args].join(' ')} exited ${code}:\n${tail.split('\n').slice(-20).join('\n')}`));
      b.log(`  ${((performance.now() - t) / 1000).toFixed(1)} s  ${describe(b, file, args)}`);
      resolve();
    });
  });
}

function describe(b: BuildBench, file: string, args: string[]): string {
  const shown =
    file === 'node'
      ? ['matrixbake', ...args.slice(1)]
      : file === 'make'
        ? ['make', ...args]
        : ['buildx', ...args.slice(file === b.buildx.file ? b.buildx.args.length : 0)];
  return shown
    .join(' ')
    .replace(/\S*mb-bench-repo-[^/\s]+\//g, '')
    .slice(0, 160);
}

async function compileOrThrow(file: string): Promise<Compiled> {
  const r = await compileMatrix(file);
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.value;
}
