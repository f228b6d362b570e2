import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileMatrix, type Compiled } from '../src/compile.js';
import { formatDiagnostic } from '../src/diagnostics.js';
import type { Plan, PlanTarget } from '../src/plan/plan.js';
import type { Command } from '../src/run/exec.js';
import type { Buildkitd } from '../test/support/buildkitd.js';
import { executedRuns, rawjsonVertices, type Vertex } from '../test/support/cli-build.js';
import { baselineBuilds } from './baseline.js';

// One repetition of the build figures, on a private buildkitd whose state is wiped wherever a
// figure says cold or fresh. Steps are read from buildx's --progress=rawjson.

export interface BuildRep {
  cold_ms: number;
  warm_ms: number;
  sequential_ms: number;
  critical_path_ms: number;
  base_runs: number;
  base_cells: number;
  baseline_base_runs: number;
  changed_rebuilt_steps: number;
  changed_expected_steps: number;
  changed_rebuilt: string[];
  levels_cold_ms: number;
  fresh_levels_ms: number;
  fresh_levels: StepCount;
  fresh_plain: StepCount;
}

export interface StepCount {
  cached: number;
  all: number;
}

export interface BuildBench {
  root: string;
  matrix: string;
  cli: string;
  /** buildx as the CLI finds it (src/run/exec.ts buildxCommand). */
  buildx: Command;
  kit: Buildkitd;
  /** Unique per repetition: registry repositories no earlier run wrote. */
  id: string;
  log: (line: string) => void;
}

export async function buildRep(b: BuildBench): Promise<BuildRep> {
  const compiled = await compileOrThrow(b.matrix);
  const plan = compiled.plan;
  const cache = (name: string) => `localhost:5000/bench-${b.id}/${name}`;
  const bake = (matrix: string, args: string[], vars: Record<string, string>) => {
    const flags = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
    return run(b, 'node', [b.cli, 'bake', matrix, ...args, ...flags, '--', '--progress=rawjson']);
  };

  await b.kit.restartFresh();
  const cold = bake(b.matrix, ['all'], { CACHE_REGISTRY: cache('cold') });
  const coldRuns = executedRuns(rawjsonVertices(cold.stderr));
  const warm = bake(b.matrix, ['all'], { CACHE_REGISTRY: cache('cold') });

  // One framework's ref changes: only its chain may run again.
  const changedMatrix = withChangedRef(b.root, b.matrix, 'vllm');
  const changedPlan = (await compileOrThrow(changedMatrix)).plan;
  const changed = bake(changedMatrix, ['all'], { CACHE_REGISTRY: cache('cold') });
  const rebuilt = executedRuns(rawjsonVertices(changed.stderr));

  // A builder that lost its state rebuilds from the registry cache a levelled build pushed.
  await b.kit.restartFresh();
  const levelsCold = bake(b.matrix, ['all', '--levels'], { CACHE_REGISTRY: cache('shared'), PUSH_CACHE: 'true' });
  await b.kit.restartFresh();
  const freshLevels = bake(b.matrix, ['all', '--levels'], { CACHE_REGISTRY: cache('shared') });
  // The same with plain bakes (target: links): what --levels exists for (docker/buildx#3878).
  await b.kit.restartFresh();
  bake(b.matrix, ['all'], { CACHE_REGISTRY: cache('plain'), PUSH_CACHE: 'true' });
  await b.kit.restartFresh();
  const freshPlain = bake(b.matrix, ['all'], { CACHE_REGISTRY: cache('plain') });

  await b.kit.restartFresh();
  const sequential = baseline(b, plan);

  return {
    cold_ms: cold.ms,
    warm_ms: warm.ms,
    sequential_ms: sequential.ms,
    critical_path_ms: criticalPathSeconds(plan) * 1000,
    base_runs: coldRuns.filter((v) => v.name.includes('stage=base ')).length,
    base_cells: plan.targets.filter((t) => t.arch === undefined && t.stage === 'base').reduce((n, t) => n + t.archs.length, 0),
    baseline_base_runs: sequential.baseRuns,
    changed_rebuilt_steps: rebuilt.length,
    changed_expected_steps: changedNodes(plan, changedPlan).length,
    changed_rebuilt: rebuilt.map((v) => v.name.replace(/^\[([^\]]+)\].*/, '$1')),
    levels_cold_ms: levelsCold.ms,
    fresh_levels_ms: freshLevels.ms,
    fresh_levels: dockerfileSteps(rawjsonVertices(freshLevels.stderr)),
    fresh_plain: dockerfileSteps(rawjsonVertices(freshPlain.stderr)),
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
  const old = new Map(before.targets.map((t) => [t.name, JSON.stringify(t.args)]));
  const nodes = after.targets.filter((t) => t.arch === undefined);
  const changed = new Set(nodes.filter((t) => old.get(t.name) !== JSON.stringify(t.args)).map((t) => t.name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of nodes) {
      if (!changed.has(t.name) && t.links.some((l) => changed.has(l.target))) {
        changed.add(t.name);
        grew = true;
      }
    }
  }
  return [...changed];
}

/** Dockerfile instructions that do work (RUN, COPY, ADD): how many completed, how many from cache. */
export function dockerfileSteps(vs: Vertex[]): StepCount {
  const steps = vs.filter((v) => v.completed && /^\[[^\]]+\] (RUN|COPY|ADD) /.test(v.name));
  return { cached: steps.filter((v) => v.cached).length, all: steps.length };
}

function baseline(b: BuildBench, plan: Plan): { ms: number; baseRuns: number } {
  const builds = baselineBuilds(plan, b.root, join(b.root, 'bench/.work/baseline'));
  let ms = 0;
  let baseRuns = 0;
  for (const build of builds) {
    const args = Object.entries(build.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const r = run(b, b.buildx.file, [...b.buildx.args, 'build', '--platform', 'linux/amd64', '-f', build.dockerfile, '--target', build.target, ...args, '--progress=rawjson', '.']);
    ms += r.ms;
    baseRuns += executedRuns(rawjsonVertices(r.stderr)).filter((v) => v.name.includes('stage=base ')).length;
  }
  return { ms, baseRuns };
}

/** A copy of the matrix (inside the repo, so paths resolve alike) with one framework's ref bumped. */
function withChangedRef(root: string, matrix: string, framework: string): string {
  const dir = join(root, 'bench/.work');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'changed.toml');
  copyFileSync(matrix, file);
  const text = readFileSync(file, 'utf8');
  const section = `[axis.framework.values.${framework}]\nargs = { FRAMEWORK = "${framework}", FRAMEWORK_REF = "`;
  if (!text.includes(section)) throw new Error(`${matrix}: no ${section}...`);
  writeFileSync(file, text.replace(section, `${section}changed-`));
  return file;
}

function run(b: BuildBench, file: string, args: string[]): { ms: number; stderr: string } {
  const t = performance.now();
  const r = spawnSync(file, args, { cwd: b.root, encoding: 'utf8', env: { ...process.env, BUILDX_BUILDER: b.kit.builder }, maxBuffer: 1 << 30 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${[file, ...args].join(' ')} exited ${r.status}:\n${r.stderr.split('\n').filter((l) => !l.startsWith('{')).slice(-20).join('\n')}`);
  b.log(`  ${(ms / 1000).toFixed(1)} s  ${[file === 'node' ? 'matrixbake' : 'buildx', ...args.slice(file === 'node' ? 1 : 0)].join(' ').slice(0, 140)}`);
  return { ms, stderr: r.stderr };
}

async function compileOrThrow(file: string): Promise<Compiled> {
  const r = await compileMatrix(file);
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.value;
}
