import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { buildxCommand, type Command } from '../src/run/exec.js';
import { startBuildkitd } from '../test/support/buildkitd.js';
import { buildRep, hitRatio, totalSteps, type BuildRep, type StepCount } from './builds.js';
import { ciJobFile, ciJobPrintMs } from './ci-job-print.js';
import { compileMs, compilePeakRssKiB, printMs, synthetic } from './compile-scale.js';
import { LTS_MAJOR, ltsNode } from './lts-node.js';
import { nodesRep, type NodesRep } from './nodes.js';
import { writeResults, type Results } from './report.js';
import { startupSamples } from './startup.js';
import { figure, ratio, round, type Figure } from './stats.js';

// `make bench`: the build figures on the bench matrix (real buildkitd, registry on
// localhost:5000), then compile scaling; bench/results.json and bench/RESULTS.md.
//   --reps N        repetitions of every figure (default 3)
//   --quick         the harness on a tiny scale: stage work 0 s, 1 repetition, compile up to 100 cells
//   --out DIR       where results.json and RESULTS.md go (default bench/)
//   --only nodes    the builder-node figures alone (bench/nodes.ts), merged into DIR's results.json
//   --only startup  start-up, compile scaling and one CI job's --print alone (no daemon), merged into DIR's results.json

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const quick = args.includes('--quick');
const reps = Number(opt('--reps') ?? (quick ? 1 : 3));
const root = resolve(import.meta.dirname, '../..');
const outDir = resolve(opt('--out') ?? join(root, 'bench'));
// The bin as the package ships it (scripts/bundle-cli.mjs), bundled into a folder of the bench's
// own: other builds in this checkout (make build, the tests') may rewrite or delete dist/ while
// the bench runs. Inside the repo, as dist/ is: the bin finds its package.json and scripts/ the
// same way (src/run/setup-hints.ts).
const cliDir = join(root, `bench/.work/cli-${process.pid}`);
const cli = join(cliDir, 'cli.js');
const work = join(root, 'bench/.work/synthetic');
const log = (l: string) => process.stderr.write(`${l}\n`);

async function main() {
  const buildx = await buildxCommand();
  if (!buildx) throw new Error('buildx is not installed: run `make setup`');
  // What was measured: the checkout and tools as the run starts (a commit made meanwhile is not in it).
  const measured = machine(buildx);
  rmSync(cliDir, { recursive: true, force: true });
  execFileSync('node', [join(root, 'scripts/bundle-cli.mjs'), '--outfile', cli], { stdio: 'inherit' });
  if (opt('--only') === 'startup') {
    const fresh = compileFigures(buildx);
    await writeResults(outDir, mergeStartup(join(outDir, 'results.json'), fresh.figures, { machine: measured, reps, quick }));
    log(`bench: merged the start-up and compile figures into ${join(outDir, 'results.json')} and wrote ${join(outDir, 'RESULTS.md')}`);
    return;
  }
  const matrix = quick ? zeroWork() : join(root, 'bench/bench.toml');
  // The CLI's own figures first, on a machine no daemon has worked yet: taken after the builds,
  // they measured what 40 minutes of builds left behind as much as the CLI (bench/NOTES.md, Start-up).
  const cliFigures = opt('--only') === 'nodes' ? undefined : compileFigures(buildx);
  // Builders of several nodes: the demo for both arches on two nodes against one, and QEMU's cost.
  const nodes: NodesRep[] = [];
  for (let i = 0; i < reps; i++) {
    log(`bench: nodes repetition ${i + 1}/${reps}`);
    nodes.push(await nodesRep({ root, cli, buildx, id: `${Date.now().toString(36)}-n${i}`, twoFirst: i % 2 === 1, quick, log }));
  }
  const nodeFigures = {
    two_node_over_one_node: ratio(
      nodes.map((n) => n.two_node_ms),
      nodes.map((n) => n.one_node_ms),
    ),
    arm64_emulated_over_native_step: ratio(
      nodes.map((n) => n.emulated_step_ms),
      nodes.map((n) => n.native_step_ms),
    ),
  };
  const nodeSeconds = {
    demo_one_node: figure(nodes.map((n) => n.one_node_ms / 1000)),
    demo_two_node: figure(nodes.map((n) => n.two_node_ms / 1000)),
    step_arm64_emulated: figure(nodes.map((n) => n.emulated_step_ms / 1000)),
    step_amd64_native: figure(nodes.map((n) => n.native_step_ms / 1000)),
  };
  if (opt('--only') === 'nodes') {
    await writeResults(
      outDir,
      mergeNodes(join(outDir, 'results.json'), {
        machine: measured,
        reps,
        quick,
        figures: nodeFigures,
        seconds: nodeSeconds,
        detail: [],
        nodes: { reps, quick, detail: nodes },
      }),
    );
    log(`bench: merged the nodes figures into ${join(outDir, 'results.json')} and wrote ${join(outDir, 'RESULTS.md')}`);
    return;
  }
  const { figures: compileScaling, largest, big } = cliFigures!;
  const sbomGenerator = sbomGeneratorImage();
  const kit = await startBuildkitd();
  const runs: BuildRep[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      log(`bench: build repetition ${i + 1}/${reps}`);
      runs.push(await buildRep({ root, matrix, cli, buildx, kit, id: `${Date.now().toString(36)}-${i}`, log, ...(sbomGenerator ? { sbomGenerator } : {}) }));
    }
  } finally {
    await kit.stop();
  }

  const printReps = Math.max(1, quick ? 1 : reps);
  const compiledPrint = Array.from({ length: printReps }, () => printMs(buildx, join(work, `out-${largest}.hcl`)));
  const nativePrint = Array.from({ length: printReps }, () => printMs(buildx, big.native));
  log(`bench: buildx --print ${largest}: compiled ${compiledPrint.map((x) => x.toFixed(0))} ms, native ${nativePrint.map((x) => x.toFixed(0))} ms`);

  const col = <K extends keyof BuildRep>(k: K) => runs.map((r) => r[k] as number);
  /** The hit ratio of each repetition: Dockerfile RUN/COPY steps from cache over all that completed. */
  const hits = (of: (r: BuildRep) => StepCount | StepCount[]) =>
    figure(
      runs.map((r) => {
        const c = of(r);
        return hitRatio(Array.isArray(c) ? totalSteps(c) : c);
      }),
    );
  const results: Results = {
    machine: measured,
    reps,
    quick,
    figures: {
      // Build speed. The default path is `bake` with a cache registry: levels (src/run/bake-path.ts).
      // --quick has no stage work, so no critical path to compare with.
      ...(runs[0]!.critical_path_ms > 0
        ? {
            bake_over_critical_path: ratio(col('cold_ms'), col('critical_path_ms')),
            bake_over_critical_path_one_bake: ratio(col('cold_one_bake_ms'), col('critical_path_ms')),
          }
        : {}),
      levels_cold_over_plain_cold: ratio(col('cold_ms'), col('cold_one_bake_ms')),
      sequential_over_bake: ratio(col('sequential_ms'), col('cold_ms')),
      sequential_over_one_bake: ratio(col('sequential_ms'), col('cold_one_bake_ms')),
      warm_over_cold: ratio(col('warm_ms'), col('cold_ms')),
      warm_over_cold_one_bake: ratio(col('warm_one_bake_ms'), col('cold_one_bake_ms')),
      base_builds_per_cuda_arch: figure(runs.map((r) => r.base_runs / r.base_cells)),
      baseline_base_builds_per_cuda_arch: figure(runs.map((r) => r.baseline_base_runs / r.base_cells)),
      changed_framework_rebuilt_steps: figure(col('changed_rebuilt_steps')),
      changed_framework_expected_steps: figure(col('changed_expected_steps')),
      // Restoring from the registry cache on a wiped builder.
      fresh_builder_cache_hit_ratio: hits((r) => r.fresh),
      fresh_builder_cache_hit_ratio_plain_bake: hits((r) => r.fresh_plain),
      default_path_fresh_hit_ratio: hits((r) => r.default_path_fresh),
      next_commit_fresh_hit_ratio: hits((r) => r.next_commit),
      branch_first_build_hit_ratio: hits((r) => r.branch_first),
      branch_build_main_refs_rewritten: figure(runs.map((r) => r.branch_refs.main_refs_rewritten.length)),
      node_from_twin_cache_hit_ratio: hits((r) => r.node_from_twin),
      node_from_twin_cache_hit_ratio_one_bake: hits((r) => r.node_from_twin_one_bake),
      twin_from_node_cache_hit_ratio: hits((r) => r.twin_from_node),
      twin_from_node_cache_hit_ratio_one_bake: hits((r) => r.twin_from_node_one_bake),
      default_path_from_one_bake_cache_hit_ratio: hits((r) => r.default_from_one_bake),
      changed_framework_next_commit_rebuilt_steps: figure(col('changed_next_commit_rebuilt_steps')),
      changed_framework_next_commit_expected_steps: figure(col('changed_expected_steps')),
      ...compileScaling,
      [`buildx_print_${label(largest)}_ms`]: figure(compiledPrint),
      [`buildx_print_native_${label(largest)}_ms`]: figure(nativePrint),
      native_over_compiled_print: ratio(nativePrint, compiledPrint),
      // Builders of several nodes (bench/nodes.ts).
      ...nodeFigures,
    },
    seconds: {
      critical_path: runs[0]!.critical_path_ms / 1000,
      cold: figure(col('cold_ms').map((x) => x / 1000)),
      warm: figure(col('warm_ms').map((x) => x / 1000)),
      cold_one_bake: figure(col('cold_one_bake_ms').map((x) => x / 1000)),
      warm_one_bake: figure(col('warm_one_bake_ms').map((x) => x / 1000)),
      sequential: figure(col('sequential_ms').map((x) => x / 1000)),
      fresh: figure(col('fresh_ms').map((x) => x / 1000)),
      fresh_one_bake: figure(col('fresh_plain_ms').map((x) => x / 1000)),
      default_path_fresh: figure(col('default_path_fresh_ms').map((x) => x / 1000)),
      next_commit: figure(col('next_commit_ms').map((x) => x / 1000)),
      branch_first: figure(col('branch_first_ms').map((x) => x / 1000)),
      ...nodeSeconds,
    },
    detail: runs.map((r) => ({
      commits: r.commits,
      changed_rebuilt: r.changed_rebuilt,
      changed_next_commit_rebuilt: r.changed_next_commit_rebuilt,
      fresh: r.fresh,
      fresh_plain: r.fresh_plain,
      default_path_fresh: r.default_path_fresh,
      default_path_line: r.default_path_line,
      next_commit: r.next_commit,
      branch_first: r.branch_first,
      branch_refs: r.branch_refs,
      twin_fill: r.twin_fill,
      node_from_twin: r.node_from_twin,
      node_from_twin_one_bake: r.node_from_twin_one_bake,
      twin_from_node: r.twin_from_node,
      twin_from_node_one_bake: r.twin_from_node_one_bake,
      default_from_one_bake: r.default_from_one_bake,
    })),
    nodes: { reps, quick, detail: nodes },
  };
  await writeResults(outDir, results);
  log(`bench: wrote ${join(outDir, 'results.json')} and ${join(outDir, 'RESULTS.md')}`);
}

/**
 * `--only nodes`: the figures of an earlier full run with the nodes figures of this one, which
 * says so (`nodes`: its machine, commit and repetitions), so RESULTS.md can tell the two runs apart.
 */
function mergeNodes(file: string, fresh: Results): Results {
  if (!existsSync(file)) throw new Error(`--only nodes merges into ${file}, which is not there: run the whole bench first`);
  const old = JSON.parse(readFileSync(file, 'utf8')) as Results;
  return {
    ...old,
    figures: { ...old.figures, ...fresh.figures },
    seconds: { ...old.seconds, ...fresh.seconds },
    nodes: { ...fresh.nodes!, machine: fresh.machine },
  };
}

/**
 * Start-up (bench/startup.ts) and compile scaling: synthetic matrices of 10 to 10,000 cells, each
 * compiled once unmeasured (file cache, disk), then timed; the largest's peak RSS. Its outputs stay
 * in `work` for buildx --print. Then one CI job's own bake file, at 100 cells and at the largest.
 */
function compileFigures(buildx: Command) {
  const sizes = quick ? [10, 100] : [10, 100, 1000, 10000];
  // Not with --quick: the harness check fetches nothing.
  const lts = quick ? undefined : ltsNode(join(root, `bench/.work/node${LTS_MAJOR}`), log);
  // The bin's own code cache under the LTS Node (scripts/bundle-cli.mjs), made afresh by the first, unmeasured, run.
  const userCache = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = join(root, 'bench/.work/xdg-cache');
  rmSync(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
  const compile: Record<number, number[]> = {};
  const compileLts: number[] = [];
  for (const n of sizes) {
    const s = synthetic(work, n);
    const onLts = lts && n === 10000 ? lts : undefined;
    compileMs(cli, s, join(work, `warmup-${n}.hcl`));
    if (onLts) compileMs(cli, s, join(work, `warmup-${n}.hcl`), onLts);
    compile[n] = [];
    for (let i = 0; i < Math.max(reps, 3); i++) {
      compile[n].push(compileMs(cli, s, join(work, `out-${n}.hcl`)));
      if (onLts) compileLts.push(compileMs(cli, s, join(work, `out-${n}.hcl`), onLts));
    }
    log(
      `bench: compile ${n} cells: ${compile[n]!.map((x) => x.toFixed(0)).join(', ')} ms${onLts ? `; on Node ${LTS_MAJOR}: ${compileLts.map((x) => x.toFixed(0)).join(', ')} ms` : ''}`,
    );
  }
  // Small and noisy figures, so more samples than the rest.
  const startup = startupSamples(cli, root, Math.max(reps, 10), lts);
  log(`bench: compile matrix/dynamo.toml: ${startup.compile_dynamo_ms.map((x) => x.toFixed(0)).join(', ')} ms`);
  const largest = sizes.at(-1)!;
  // The largest again as CI builds a catalog: both arches and a registry cache (3 x the targets).
  const full = synthetic(work, largest, { arch: true, cache: true });
  compileMs(cli, full, join(work, `warmup-${largest}-full.hcl`));
  const fullMs = Array.from({ length: Math.max(reps, 3) }, () => compileMs(cli, full, join(work, `out-${largest}-full.hcl`)));
  log(`bench: compile ${largest} cells, arch and cache: ${fullMs.map((x) => x.toFixed(0)).join(', ')} ms`);
  const big = synthetic(work, largest);
  const rss = compilePeakRssKiB(cli, big, join(work, `rss-${largest}.hcl`));
  // One CI job's own bake file at 100 cells and at the largest catalog, measured in turns.
  const [small, large] = [100, largest].map((n) => ciJobFile(cli, synthetic(work, n, { arch: true }).matrix, n));
  const jobPrint: [number[], number[]] = [[], []];
  for (let i = 0; i < Math.max(reps, 5); i++) {
    jobPrint[0].push(ciJobPrintMs(buildx, small!));
    jobPrint[1].push(ciJobPrintMs(buildx, large!));
  }
  log(
    `bench: one CI job's --print, 100 cells: ${jobPrint[0].map((x) => x.toFixed(0))} ms; ${largest}: ${jobPrint[1].map((x) => x.toFixed(0))} ms (${large!.targets} targets in its file)`,
  );
  const figures: Record<string, Figure> = {
    ...Object.fromEntries(Object.entries(startup).map(([name, samples]) => [name, figure(samples)])),
    ...Object.fromEntries(sizes.map((n) => [`compile_${label(n)}_cells_ms`, figure(compile[n]!)])),
    ...(compileLts.length > 0 ? { [`compile_10k_cells_node${LTS_MAJOR}_ms`]: figure(compileLts) } : {}),
    ...(compile[1000] && compile[10000] ? { compile_10k_over_1k: ratio(compile[10000], compile[1000]) } : {}),
    [`compile_${label(largest)}_cells_arch_cache_ms`]: figure(fullMs),
    [`compile_${label(largest)}_cells_peak_rss_mib`]: figure([round(rss / 1024)]),
    // A CI job's file holds what the job builds, so its cost follows the job, not the catalog.
    [`ci_job_print_${label(largest)}_ms`]: figure(jobPrint[1]),
    [`ci_job_print_${label(largest)}_over_100`]: ratio(jobPrint[1], jobPrint[0]),
  };
  if (userCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = userCache;
  return { figures, largest, big };
}

/** `--only startup`: an earlier full run's figures with this run's start-up and compile figures, which says so. */
function mergeStartup(file: string, figures: Record<string, Figure>, startup: NonNullable<Results['startup']>): Results {
  if (!existsSync(file)) throw new Error(`--only startup merges into ${file}, which is not there: run the whole bench first`);
  const old = JSON.parse(readFileSync(file, 'utf8')) as Results;
  return { ...old, figures: { ...old.figures, ...figures }, startup };
}

/** 10 -> "10", 1000 -> "1k": the figure names the issue uses. */
const label = (n: number) => (n >= 1000 ? `${n / 1000}k` : `${n}`);

/**
 * The bench matrix with every stage's work set to 0 s: the harness, fast. Its own cache
 * repository, so a --quick run never overwrites the cache refs a full run reads (`make bake`
 * reads the matrix's [cache] registry).
 */
function zeroWork(): string {
  const dir = join(root, 'bench/.work');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'quick.toml');
  const text = readFileSync(join(root, 'bench/bench.toml'), 'utf8');
  const quickText = text
    .replace(/WORK_SECONDS = "\d+"/g, 'WORK_SECONDS = "0"')
    .replace('registry = "localhost:5000/bench/cache"', 'registry = "localhost:5000/bench-quick/cache"');
  if (!quickText.includes('localhost:5000/bench-quick/cache'))
    throw new Error('bench/bench.toml: no [cache] registry = "localhost:5000/bench/cache" to point --quick elsewhere');
  writeFileSync(file, quickText);
  return file;
}

/** The image release jobs attach SBOMs with (scripts/sbom-scanner.sh), or undefined with a note. */
function sbomGeneratorImage(): string | undefined {
  try {
    return execFileSync('bash', [join(root, 'scripts/sbom-scanner.sh')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    log(
      `bench: no SBOM generator image (${`${(e as { stderr?: string }).stderr ?? e}`.trim().split('\n').at(-1)}): the twins' cache is filled by \`bake <twin>\`, not by release jobs`,
    );
    return undefined;
  }
}

function machine(buildx: Command) {
  const version = (cmd: string[]) => {
    try {
      return execFileSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' }).trim().split('\n')[0]!;
    } catch {
      return 'unknown';
    }
  };
  return {
    commit: version(['git', '-C', root, 'rev-parse', '--short=12', 'HEAD']),
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: round(totalmem() / 2 ** 30),
    node: process.version,
    buildx: version([buildx.file, ...buildx.args, 'version']),
    buildkitd: version([join(process.env.HOME ?? '', '.local/share/matrixbake/bin/buildkitd'), '--version']),
  };
}

main()
  .catch((e) => {
    log(`bench: ${e instanceof Error ? e.message : e}`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(cliDir, { recursive: true, force: true }));
