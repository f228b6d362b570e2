import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../src/write/write-atomic.js';
import type { Figure } from './stats.js';

// results.json (every sample) and RESULTS.md (the table against the goals, the machine, the
// commands, what it means). RESULTS.md appends bench/NOTES.md, the hand-written reading.

export interface Results {
  machine: Record<string, string | number>;
  reps: number;
  quick: boolean;
  figures: Record<string, Figure>;
  seconds: Record<string, number | Figure>;
  detail: unknown[];
  /** The builder-node repetitions (bench/nodes.ts), and their machine when they ran on their own (`--only nodes`). */
  nodes?: { machine?: Record<string, string | number>; reps: number; quick: boolean; detail: unknown[] };
  /** When the start-up and compile figures ran on their own (`--only startup`): their machine and repetitions. */
  startup?: { machine: Record<string, string | number>; reps: number; quick: boolean };
}

export interface Goal {
  text: string;
  /** Whether x meets the goal; `other` is the value of the figure the goal compares with (`against`). */
  met: (x: number, other?: number) => boolean;
  /** The figure this one must equal (or otherwise compare with), sample by sample. */
  against?: string;
}

/** The goals (issue 5; issue 13 for the cache that survives commits, branches and ways of building; issue 16 for start-up), by figure. */
export const GOALS: Record<string, Goal> = {
  bake_over_critical_path: { text: '<= 1.15', met: (x) => x <= 1.15 },
  levels_cold_over_plain_cold: { text: '<= 1.3', met: (x) => x <= 1.3 },
  sequential_over_bake: { text: '>= 3', met: (x) => x >= 3 },
  warm_over_cold: { text: '<= 0.1 with 2x margin (<= 0.05)', met: (x) => x <= 0.05 },
  base_builds_per_cuda_arch: { text: '1', met: (x) => x === 1 },
  changed_framework_rebuilt_steps: { text: '= expected', met: (x, e) => x === e, against: 'changed_framework_expected_steps' },
  fresh_builder_cache_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  default_path_fresh_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  next_commit_fresh_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  branch_first_build_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  branch_build_main_refs_rewritten: { text: '0', met: (x) => x === 0 },
  node_from_twin_cache_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  twin_from_node_cache_hit_ratio: { text: '1.0', met: (x) => x === 1 },
  changed_framework_next_commit_rebuilt_steps: { text: '= expected', met: (x, e) => x === e, against: 'changed_framework_next_commit_expected_steps' },
  compile_dynamo_ms: { text: '<= 200', met: (x) => x <= 200 },
  compile_10k_cells_ms: { text: '<= 600', met: (x) => x <= 600 },
  compile_10k_over_1k: { text: '<= 12', met: (x) => x <= 12 },
  // Issue 16: spreading a build over one node per arch costs nothing.
  two_node_over_one_node: { text: '<= 1.1', met: (x) => x <= 1.1 },
  // Issue 16: a CI job's bake file holds what it builds, not the catalog.
  ci_job_print_10k_ms: { text: '<= 1000', met: (x) => x <= 1000 },
  ci_job_print_10k_over_100: { text: '<= 2', met: (x) => x <= 2 },
};

/**
 * What each build figure measures (RESULTS.md, "Figures"). "Wiped": buildkitd's state deleted and
 * the daemon restarted. Hit ratios count Dockerfile RUN/COPY steps (from cache / all that
 * completed), summed over the builds of a repetition, never targets.
 */
export const MEANING: Record<string, string> = {
  bake_over_critical_path: 'cold `bake all` (default path: levels), wiped builder, over the critical path of stage work',
  bake_over_critical_path_one_bake: 'the same for `bake all --one-bake` (not a goal)',
  levels_cold_over_plain_cold: 'cold `bake all` (levels) over cold `bake all --one-bake`, both wiped, no cache to read: what the levels cost',
  sequential_over_bake: 'build.sh-style sequential `buildx build`s (wiped) over cold `bake all` (levels)',
  sequential_over_one_bake: 'the same over cold `bake all --one-bake` (not a goal)',
  warm_over_cold: '`bake all` (levels) again on the builder the cold build left, over the cold build',
  warm_over_cold_one_bake: 'the same for `--one-bake` (not a goal)',
  base_builds_per_cuda_arch: 'base RUNs executed in the cold `bake all`, per CUDA x arch cell',
  baseline_base_builds_per_cuda_arch: 'the same for the build.sh-style baseline',
  changed_framework_rebuilt_steps: "RUN steps executed by `bake all` (levels) after vLLM's FRAMEWORK_REF changed, on the warm builder",
  changed_framework_expected_steps: 'RUN steps the plan says must run again (the changed nodes and all that link them)',
  fresh_builder_cache_hit_ratio: '`bake all` (levels), wiped builder, same commit as the fill (`bake all`, levels, PUSH_CACHE=true)',
  fresh_builder_cache_hit_ratio_plain_bake: 'the same with `--one-bake` for fill and read (not a goal)',
  default_path_fresh_hit_ratio:
    "`make bake MATRIX=bench/bench.toml TARGET=all` in this repository, no flags, wiped builder, after `bake all --var PUSH_CACHE=true` filled the matrix's own cache registry",
  next_commit_fresh_hit_ratio: 'commit B (= A + a file no target reads), wiped builder, `bake all` (levels) from the cache `bake all` pushed at commit A',
  branch_first_build_hit_ratio:
    "commit B on a new branch feature/x (BRANCH from git), wiped builder, `bake all` (levels) with PUSH_CACHE=true: reads main's refs",
  branch_build_main_refs_rewritten: "main's cache refs (`<target>-main`) whose manifest digest the branch build changed, added or removed",
  node_from_twin_cache_hit_ratio:
    "each leaf node (`ci-*`) alone, wiped builder, `bake <node>` (levels), from the cache CI's per-twin jobs pushed (`release <twin> --phase build --only`, level by level)",
  node_from_twin_cache_hit_ratio_one_bake: 'the same read with `bake <node> --one-bake` (not a goal)',
  twin_from_node_cache_hit_ratio: 'each leaf twin (`ci-*-amd64`) alone, wiped builder, `bake <twin>` (levels), from the cache `bake all` (levels) pushed',
  twin_from_node_cache_hit_ratio_one_bake: 'the same with `--one-bake` for fill (`bake all --one-bake`: node refs) and read (not a goal)',
  default_path_from_one_bake_cache_hit_ratio:
    '`bake all` (levels: twins, links by digest), wiped builder, from the cache `bake all --one-bake` pushed (node refs, `target:` links) (not a goal)',
  changed_framework_next_commit_rebuilt_steps:
    "commit C (vLLM's FRAMEWORK_REF changed), wiped builder + the registry cache of commit A, `bake all` (levels): RUN steps executed",
  changed_framework_next_commit_expected_steps: 'RUN steps the plan says must run again at commit C',
  two_node_over_one_node:
    '`bake matrix/demo.toml all --push --var PUSH_CACHE=true` (`make demo`), both platforms, fresh daemons and registry namespaces: on a builder of two nodes (one buildkitd pinned to linux/amd64, one to linux/arm64, both on this machine, both emulating arm64) over one node building both, side by side, the order alternated per repetition',
  arm64_emulated_over_native_step:
    'one CPU-bound RUN (busybox sh arithmetic, 600,000 iterations), never from cache: its time as BuildKit records it for linux/arm64 (QEMU user mode) over linux/amd64 (native), on one fresh buildkitd',
  compile_dynamo_ms:
    '`matrixbake compile matrix/dynamo.toml` (the bake file on stdout), the bundled bin run as its shebang runs it: wall time, Node start included',
  version_ms: '`matrixbake --version`, the same bin: Node start and loading the bundle, no work',
  node_start_ms: "`node -e ''`: Node's own start, which no change of ours removes",
  compile_dynamo_node24_ms:
    "`compile_dynamo_ms` with the same bin run by Node 24, the LTS line a user most likely has (the machine's Node 20 reached its end of life in April 2026; bench/lts-node.ts), in turns with it; the bin's own code cache made by an unmeasured first run; no goal",
  node24_start_ms: "`node -e ''` under that Node 24",
  compile_10k_cells_node24_ms: '`compile_10k_cells_ms` under that Node 24, in turns with it; no goal',
  compile_10k_cells_ms: '`matrixbake compile` of the synthetic 10,000-cell matrix (11,000 targets) to a file, the same bin',
  compile_10k_cells_arch_cache_ms:
    'the same 10,000 cells as CI builds a catalog: b has 5 values and arch is amd64 and arm64, with a registry cache and a fallback branch (6,000 nodes and their 12,000 per-arch twins, 18,000 bake targets, each reading and writing the cache); no goal, it watches for work that grows faster than the targets',
  ci_job_print_10k_ms:
    "`docker buildx bake -f F --print T` of one CI job's per-arch target T on a 10,000-cell matrix, F the job's own bake file (named by `bake M T --dry-run`)",
  ci_job_print_10k_over_100: 'the same over the same job on a 100-cell matrix, measured in turns: flat means the cost follows the job, not the catalog',
};

export async function writeResults(dir: string, r: Results): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await writeAtomic(join(dir, 'results.json'), `${JSON.stringify(r, null, 2)}\n`);
  await writeAtomic(join(dir, 'RESULTS.md'), markdown(r, notes(dir)));
}

/** met / not met on the median, and how many repetitions met it when not all did. */
function verdict(r: Results, name: string, goal: Goal): string {
  const f = r.figures[name]!;
  const other = goal.against ? r.figures[goal.against] : undefined;
  if (goal.against && !other) return '';
  const median = goal.met(f.value, other?.value);
  const ok = f.samples.filter((x, i) => goal.met(x, other?.samples[i] ?? other?.value)).length;
  const word = median ? 'met' : '**not met**';
  return ok === f.samples.length || (ok === 0 && !median) ? word : `${word} (${ok} of ${f.samples.length})`;
}

function notes(dir: string): string {
  const file = join(dir, 'NOTES.md');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

export function markdown(r: Results, notesText: string): string {
  const rows = Object.entries(r.figures).map(([name, f]) => {
    const goal = GOALS[name];
    return `| \`${name}\` | ${f.value} | ${f.spread} | ${f.samples.join(', ')} | ${goal?.text ?? ''} | ${goal ? verdict(r, name, goal) : ''} |`;
  });
  const meanings = Object.keys(r.figures)
    .filter((n) => MEANING[n])
    .map((n) => `- \`${n}\`: ${MEANING[n]}.`);
  const secs = Object.entries(r.seconds)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v : v.value} s`)
    .join(', ');
  const m = r.machine;
  return [
    '# Benchmark results',
    '',
    `Generated by \`make bench\`${r.quick ? ' --quick (the harness check: zero stage work; not a measurement)' : ''}: median of ${r.reps} repetition${r.reps > 1 ? 's' : ''} (compile: at least 3; start-up: at least 10), spread = (max - min) / median. Every ratio pairs two measurements of the same repetition.`,
    '',
    '| figure | median | spread | samples | goal | |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    `Seconds (medians): ${secs}.`,
    '',
    '## Figures',
    '',
    'Every build figure is measured in the same run, on a private buildkitd; "wiped" means its state deleted and the daemon restarted. Hit ratios count Dockerfile RUN/COPY steps (from cache over all that completed, summed over the builds of a repetition), never targets. The default path is `matrixbake bake` with no path flag and a cache registry in the matrix: levels (one bake per dependency level, per-arch twins, links pinned by digest); `--one-bake` is one bake with `target:` links. Each bake must print which path it took, or the bench stops. A goal is judged on the median; "k of n" says how many repetitions met it when not all did.',
    '',
    ...meanings,
    '',
    '## Machine',
    '',
    `Commit ${m.commit}. ${m.cpus} cores (${m.cpu_model}), ${m.memory_gib} GiB; Node ${m.node}; ${m.buildx}; ${m.buildkitd}. buildkitd is a private daemon (OCI worker, runc) started by the bench; the registry is localhost:5000 (scripts/services.sh).`,
    ...(r.nodes?.machine
      ? [
          '',
          `\`two_node_over_one_node\` and \`arm64_emulated_over_native_step\` come from a run of their own (\`make bench BENCH_ARGS="--only nodes"\`, ${r.nodes.reps} repetition${r.nodes.reps > 1 ? 's' : ''}${r.nodes.quick ? ', --quick' : ''}) on commit ${r.nodes.machine.commit}, ${r.nodes.machine.cpus} cores, ${r.nodes.machine.buildx}, ${r.nodes.machine.buildkitd}; the other figures come from the run above.`,
        ]
      : []),
    ...(r.startup
      ? [
          '',
          `The start-up and compile figures (\`compile_dynamo_ms\`, \`version_ms\`, \`node_start_ms\`, their Node 24 twins, \`compile_*_cells_ms\`, \`compile_10k_over_1k\`, the peak RSS, \`ci_job_print_*\`) come from a run of their own (\`make bench BENCH_ARGS="--only startup"\`, ${r.startup.reps} repetition${r.startup.reps > 1 ? 's' : ''}${r.startup.quick ? ', --quick' : ''}) on the working tree at commit ${r.startup.machine.commit}, ${r.startup.machine.cpus} cores, Node ${r.startup.machine.node}; the other figures come from the run above.`,
        ]
      : []),
    '',
    '## Commands',
    '',
    '```sh',
    'make bench                      # = make build services, then: node .bench-out/bench/run.js',
    '# per repetition, in a throwaway git repository (bench/repo.ts: the bench matrix as bench/bench.toml, the demo',
    '# Dockerfiles and busybox; commit A on main), on a private buildkitd (wiped = state deleted, daemon restarted);',
    '# every `bake` ends in `-- --progress=rawjson` and gets --var CACHE_REGISTRY=localhost:5000/bench-<run>/<name>:',
    'matrixbake bake bench/bench.toml all                         # CR=cold, wiped: cold (levels), then again: warm',
    'matrixbake bake bench/.work/changed.toml all                 # CR=cold, same builder: vllm FRAMEWORK_REF changed',
    'matrixbake bake bench/bench.toml all --var PUSH_CACHE=true   # CR=shared, wiped: the fill at commit A',
    "(cd <this repo> && matrixbake bake bench/bench.toml all --var PUSH_CACHE=true)   # same builder: the matrix's own cache registry",
    'matrixbake bake bench/bench.toml all                         # CR=shared, wiped: fresh_builder_cache_hit_ratio',
    'matrixbake bake bench/bench.toml ci-<fw>-cuda<N>-amd64       # CR=shared, each leaf twin on a wiped builder: twin_from_node',
    '(cd <this repo> && make -o dist/cli.js bake CLI="node <the bench\'s bundle>" MATRIX=bench/bench.toml TARGET=all ARGS="-- --progress=rawjson")   # wiped: default_path',
    'git commit NOTES.txt                                         # commit B = A + a file no target reads',
    'matrixbake bake bench/bench.toml all                         # CR=shared, wiped: next_commit',
    'git checkout -b feature/x; matrixbake bake bench/bench.toml all --var PUSH_CACHE=true   # CR=shared, wiped: branch_first; main refs read before and after',
    'git checkout main; git commit bench/bench.toml              # commit C = B with vllm FRAMEWORK_REF changed',
    'matrixbake bake bench/bench.toml all                         # CR=shared, wiped: changed_framework_next_commit; then git reset --hard B',
    'matrixbake bake bench/bench.toml all --one-bake              # CR=cold-plain, wiped: cold, then again: warm',
    'matrixbake bake bench/bench.toml all --one-bake --var PUSH_CACHE=true   # CR=plain, wiped: the fill',
    'matrixbake bake bench/bench.toml all --one-bake              # CR=plain, wiped: fresh_builder_cache_hit_ratio_plain_bake',
    'matrixbake bake bench/bench.toml ci-<fw>-cuda<N>-amd64 --one-bake      # CR=plain, each leaf twin wiped: twin_from_node_one_bake',
    'matrixbake bake bench/bench.toml all                         # CR=plain, wiped: default_path_from_one_bake',
    'matrixbake ci bench/bench.toml --levels   # then per level, its jobs at once (CR=twins, wiped before the first):',
    'matrixbake release bench/bench.toml <twin> --phase build --only --registry <staging> --version bench --sbom-generator <image> --var CACHE_REGISTRY=<twins> --var PUSH_CACHE=true',
    'matrixbake bake bench/bench.toml ci-<fw>-cuda<N> [--one-bake]           # CR=twins, each leaf node wiped: node_from_twin[_one_bake]',
    'docker buildx build -f bench/.work/baseline/Dockerfile.<framework> --target runtime|ci --build-arg ... .   # wiped: build.sh baseline, one call per image, in sequence',
    '# start-up and compile scaling, with the bin bundled as the package ships it (node scripts/bundle-cli.mjs --outfile <cli>):',
    '<cli> compile matrix/dynamo.toml; <cli> --version; node -e ""                                       # interleaved, wall time',
    '<cli> compile bench/.work/synthetic/synthetic-N.toml -o out.hcl   # N = 10, 100, 1000, 10000: wall time, Node start included',
    'docker buildx bake -f out.hcl --print all   vs   docker buildx bake -f native-N.hcl --print all',
    '# builder nodes (bench/nodes.ts), per repetition, fresh daemons: one node, and two nodes (amd64, arm64) of one builder:',
    'BUILDX_BUILDER=<one|two> matrixbake bake matrix/demo.toml all --push --var REGISTRY=<ns> --var CACHE_REGISTRY=<ns>/cache --var PUSH_CACHE=true',
    'docker buildx build --builder <one> --platform linux/amd64|linux/arm64 --output type=cacheonly <a Dockerfile of one busybox sh loop RUN>',
    '```',
    '',
    notesText.trim(),
    '',
  ].join('\n');
}
