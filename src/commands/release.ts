import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import type { PlanTarget } from '../plan/plan.js';
import { mergeSteps, selectRelease, type PushedTwin } from '../release/release-plan.js';
import { commitEpoch, gitFacts, headSha, versionFrom, withBranch } from '../release/version.js';
import { runTee } from '../run/exec.js';
import { buildxCapture, buildxOrThrow, lastLine } from '../run/buildx-or-throw.js';
import { digestOf } from '../run/imagetools.js';
import { inParallel } from '../run/in-parallel.js';
import { progressVertices, targetProgress } from '../run/progress.js';
import { progressRenderer } from '../run/progress-render.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { BUILD_EPOCH, LINK_NEUTRAL_LABELS, linkSets, linkTag, planLevels, type LevelRun } from '../run/levels.js';
import { repoRoot } from '../load/repo-root.js';
import { writeBakeFile } from './write-bake-file.js';
import { compileOrThrow } from './compile-or-throw.js';
import { checkSources, checkVars } from '../run/check-request.js';
import { writeComposed } from '../write/write-composed.js';
import { linkClosure } from '../plan/closure.js';

// A multi-arch release the way CI fans it out: every per-arch twin built on its own (one bake per
// target, in dependency order, linked through reproducible images like `bake --levels`) and
// pushed by digest with provenance; then one `imagetools create` per image merges the digests
// into its tags. `--phase build --arch A` is one CI runner's share, `--phase merge` the merge job.

export type Phase = 'all' | 'build' | 'merge';

export interface ReleaseOptions {
  matrix: string;
  group: string;
  /** Registry the images go to (default: the matrix's project.registry). */
  registry?: string;
  /** Default: from git (`v<tag>` on a tag, else `v<last tag>.dev.<sha>`). */
  version?: string;
  arch?: string;
  phase: Phase;
  /** Build just the named per-arch target (a CI job of `ci --levels`); its links come from earlier jobs. */
  only?: boolean;
  /** Where the per-arch digests are written (build) and read (merge); default: a temp dir. */
  digests?: string;
  dryRun: boolean;
  /** SBOM generator image; default: $MATRIXBAKE_SBOM_GENERATOR, else BuildKit's (docker/buildkit-syft-scanner). */
  sbomGenerator?: string;
  /** Bake variables (CACHE_REGISTRY, PUSH_CACHE, BRANCH, SOURCE_DATE_EPOCH, ...). */
  vars: Record<string, string>;
  /** Extra buildx arguments for every build (after `--`). */
  extra: string[];
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
}

export async function releaseCommand(o: ReleaseOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  checkVars(compiled, o.vars);
  const plan = compiled.plan;
  const cwd = repoRoot(o.matrix);
  if (o.only && o.phase !== 'build') throw new UsageError('--only is one job of the fan-out: use it with --phase build');
  const sel = selectRelease(plan, o.group, o.arch, o.only);
  if ('error' in sel) throw new UsageError(`${sel.error} (hint: ${sel.hint})`);
  const registry = o.registry ?? o.vars.REGISTRY ?? plan.matrix.project.registry;
  if (!registry) throw new UsageError('release pushes images: give --registry R or set project.registry in the matrix');
  const repo = `${registry}/${plan.matrix.project.image}`;
  const git = await gitFacts(cwd);
  const version = o.version ?? o.vars.VERSION ?? (git ? versionFrom(git) : undefined);
  if (!version) throw new UsageError('no --version given and no git repository to read one from');
  const epoch = o.vars.SOURCE_DATE_EPOCH ?? BUILD_EPOCH;
  const revision = o.vars.GIT_SHA ?? git?.shortSha ?? '';
  const created = (await commitEpoch(cwd)) ?? epoch;
  // The platform images carry no version or commit (labels empty), so an image whose content did
  // not change has the same digest on every commit; the index's annotations say which it is.
  const { VERSION: _v, GIT_SHA: _g, ...rest } = await withBranch(o.vars, cwd);
  const vars = { ...rest, REGISTRY: registry, SOURCE_DATE_EPOCH: epoch };
  const dir = o.digests ?? mkdtempSync(join(tmpdir(), 'matrixbake-digests-'));
  const what = o.only ? `job ${o.group}` : `${sel.nodes.length} images (${o.arch ?? sel.nodes[0]!.archs.join('+')})`;
  o.print(`release ${version}: ${what} to ${repo}, SOURCE_DATE_EPOCH=${epoch}`);

  const failures: string[] = [];
  // Each twin builds what it links first (their own jobs with --only): all of them read their sources.
  if (o.phase !== 'merge' && !o.dryRun) {
    checkSources(compiled, linkClosure(plan, sel.twins.map((t) => t.name)), cwd);
    await writeComposed(plan, cwd);
  }
  if (o.phase !== 'merge') failures.push(...(await buildTwins(compiled, sel.twins, { ...o, repo, vars, dir, cwd, sha: o.vars.GIT_SHA || (await headSha(cwd, 12)) || '', epoch })));
  if (o.phase !== 'build') {
    // A dry run builds nothing: the merge shows where each twin's digest would go.
    const pushed = o.dryRun && o.phase === 'all' ? sel.twins.map((t) => ({ target: t.name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo, digest: `<digest of ${t.name}>` })) : readPushed(dir);
    const steps = mergeSteps(plan, sel.nodes, pushed, { registry, version, revision, created: new Date(Number(created) * 1000).toISOString(), ...(plan.matrix.project.source ? { source: plan.matrix.project.source } : {}) });
    for (const step of steps) {
      if ('missing' in step) {
        failures.push(`${step.node}: not merged: no image from ${step.missing.join(', ')} (that job failed or did not run)`);
        o.print(`matrixbake: ${failures.at(-1)}`);
        continue;
      }
      const args = ['imagetools', 'create', ...step.annotations.flatMap((a) => ['--annotation', a]), ...step.tags.flatMap((t) => ['-t', t]), ...step.sources];
      if (o.dryRun) {
        o.print(shellQuote(['docker', 'buildx', ...args]));
        continue;
      }
      const r = await buildxCapture(args, vars, cwd);
      if (r.exitCode !== 0) {
        failures.push(`${step.node}: imagetools create failed: ${lastLine(r.stderr)}`);
        o.print(`matrixbake: ${failures.at(-1)}`);
        continue;
      }
      o.print(`${step.node}  ${step.tags.join(' ')}  ${await digestOf(await buildxOrThrow(), step.tags[0]!, cwd)}`);
    }
  }
  if (!o.digests) rmSync(dir, { recursive: true, force: true });
  if (failures.length > 0) throw new BuildFailed(`release incomplete: ${failures.length} problem${failures.length > 1 ? 's' : ''}: ${failures.join('; ')}`);
}

interface BuildContext extends ReleaseOptions {
  repo: string;
  vars: Record<string, string>;
  dir: string;
  cwd: string;
  /** The commit, for the link tags (12 characters, as `bake` names them). */
  sha: string;
  epoch: string;
}

/**
 * Each twin and what it links, one bake each, the twins of a level at once; a failure skips what
 * depends on it, not the rest. Links are pinned by digest: the ones built here from their
 * metadata, a CI job's (--only) from the registry, where earlier jobs pushed them.
 */
async function buildTwins(compiled: Compiled, twins: PlanTarget[], c: BuildContext): Promise<string[]> {
  const cacheRepo = c.vars.CACHE_REGISTRY ?? compiled.plan.matrix.cache?.registry;
  if (!cacheRepo) throw new UsageError('release links per-arch images through the cache registry: set [cache] registry in the matrix or --var CACHE_REGISTRY=<repo>');
  const lo = { repo: cacheRepo, tag: /^[0-9a-f]+$/.test(c.sha) ? c.sha.slice(0, 12) : 'local', sourceDateEpoch: c.epoch, ...(c.only ? { only: true } : {}) };
  const runs = planLevels(compiled.plan, twins.map((t) => t.name), lo);
  const byName = new Map(compiled.plan.targets.map((t) => [t.name, t]));
  const file = await writeBakeFile(compiled);
  mkdirSync(c.dir, { recursive: true });
  const sbomGenerator = c.sbomGenerator ?? process.env.MATRIXBAKE_SBOM_GENERATOR;
  const broken = new Set<string>();
  const failures: string[] = [];
  const digests = new Map<string, string>();
  /** Opens the wait of the jobs that link a target: its link image is pushed, or its job ended. */
  const linked = new Map<string, () => void>();
  const b = c.dryRun ? undefined : await buildxOrThrow();
  if (c.only && b) {
    for (const l of runs.flatMap((r) => r.links)) {
      const digest = await digestOf(b, linkTag(lo, l.target), c.cwd);
      if (!digest) throw new BuildFailed(`${linkTag(lo, l.target)} is not in the registry: the job that builds ${l.target} did not run or failed`, 'run the jobs of `matrixbake ci --levels` level by level, the same commit in each');
      digests.set(l.target, digest);
    }
  }
  const work = mkdtempSync(join(tmpdir(), 'matrixbake-release-'));
  // rawjson, drawn as plain text (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !c.extra.some((a) => /^--progress(=|$)/.test(a));
  const job = async (run: LevelRun, prefix?: string) => {
    const name = run.targets[0];
    const t = byName.get(name)!;
    const blockedBy = c.only ? [] : t.links.map((l) => l.target).filter((n) => broken.has(n));
    if (blockedBy.length > 0) {
      broken.add(name);
      c.print(`matrixbake: skipping ${name}: it links ${blockedBy.join(', ')}, which did not build`);
      return;
    }
    // The labels that would name the commit, or tell this twin from its node, are empty, whether
    // or not anything links it: see releaseCommand. The index's annotations carry them.
    const neutral = LINK_NEUTRAL_LABELS.map((label) => `${name}.labels.${label}=`);
    const linkSets_ = [...new Set([...run.set, ...linkSets(run, lo, (n) => digests.get(n) ?? (c.dryRun ? `<digest-of-${n}>` : undefined)), ...neutral])];
    const steps: string[][] = [];
    // A link image for later levels (no attestations, so its digest is reproducible) ...
    if (run.pushesLink) steps.push(linkSets_);
    // ... and, for a published twin, the release image: by digest, with provenance.
    if (t.tagSuffix !== undefined) {
      steps.push([
        ...linkSets_.filter((s) => s.startsWith(`${name}.contexts.`) || s.startsWith(`${name}.args.`) || s.startsWith(`${name}.labels.`)),
        `${name}.output=type=image,name=${c.repo},push-by-digest=true,name-canonical=true,push=true,rewrite-timestamp=true`,
        `${name}.attest=type=provenance,mode=max`,
        `${name}.attest=type=sbom${sbomGenerator ? `,generator=${sbomGenerator}` : ''}`,
      ]);
    }
    if (steps.length === 0) steps.push(linkSets_);
    for (const [i, sets] of steps.entries()) {
      const metadata = join(work, `${name}-${i}.json`);
      const args = ['bake', '-f', file, ...sets.flatMap((s) => ['--set', s]), '--metadata-file', metadata, ...(ownProgress && b ? ['--progress=rawjson'] : []), ...c.extra, name];
      if (!b) {
        c.print(shellQuote(['docker', 'buildx', ...args]));
        continue;
      }
      // On stderr, with buildx's progress: one line per job, so a log (or a test) can tell them apart.
      process.stderr.write(`matrixbake: job ${name} (level ${run.level}${steps.length > 1 ? (i === 0 ? ', link image' : ', release image by digest') : ''})\n`);
      const say = (l: string) => process.stderr.write(`${l}\n`);
      const bake = () => retryTransientPush(() => runTee({ file: b.file, args: [...b.args, ...args] }, c.vars, c.cwd, { ...(prefix ? { prefix } : {}), ...(ownProgress ? { render: progressRenderer() } : {}) }), say);
      let ran = await bake();
      // cache-to has ignore-error=true: a refused export passes the job and loses its cache, so
      // the next commit would rebuild it. Once more, as bake does; then a warning.
      const refused = () => targetProgress(progressVertices(ran.raw), [name]).get(name)!.cacheErrors;
      if (ran.exitCode === 0 && refused().length > 0) {
        say(`matrixbake: the registry refused the cache of ${name} (${refused()[0]}); exporting it once more`);
        ran = await bake();
        if (ran.exitCode === 0 && refused().length > 0) say(`matrixbake: warning: registry cache not saved for ${name}: ${refused()[0]} (the image was built; the next build of this commit on an empty builder will rebuild it)`);
      }
      const { exitCode } = ran;
      if (exitCode !== 0) {
        broken.add(name);
        failures.push(`${name}: docker buildx bake exited with ${exitCode}`);
        c.print(`matrixbake: ${name} failed (docker buildx bake exited with ${exitCode}); what links it is skipped, its image is not merged`);
        return;
      }
      const meta = (JSON.parse(readFileSync(metadata, 'utf8'))[name] ?? {}) as Record<string, unknown>;
      const digest = meta['containerimage.digest'];
      if (typeof digest !== 'string') throw new BuildFailed(`${name}: buildx wrote no containerimage.digest to its metadata file`);
      if (i === 0 && run.pushesLink) {
        digests.set(name, digest);
        linked.get(name)?.();
      }
      if (sets.some((s) => s.includes('push-by-digest=true'))) {
        const pushed: PushedTwin = { target: name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo: c.repo, digest };
        writeFileSync(join(c.dir, `${name}.json`), `${JSON.stringify(pushed, null, 2)}\n`);
      }
    }
  };
  try {
    if (!b || runs.length === 1) {
      // --dry-run prints level by level; a single job has nothing to wait for.
      for (const level of [...new Set(runs.map((r) => r.level))]) {
        const inLevel = runs.filter((r) => r.level === level);
        await inParallel(inLevel, inLevel.length, (run) => job(run, inLevel.length > 1 && b ? `[${run.targets[0]}] ` : undefined));
      }
    } else {
      // Each job starts once the links of its stage's twins are pushed (or their jobs ended: then
      // it is skipped), not when its whole level is done: the link image is the first of a twin's
      // two bakes. A stage's twins start together: they share steps, whose cache BuildKit keeps
      // with one of the builds that ran them together (src/run/ready.ts).
      const ready = new Map(runs.map((r) => {
        let open!: () => void;
        const p = new Promise<void>((resolve) => (open = resolve));
        linked.set(r.targets[0], open);
        return [r.targets[0], p] as const;
      }));
      const group = (r: LevelRun) => `${byName.get(r.targets[0])!.stage} ${r.level}`;
      await Promise.all(runs.map(async (run) => {
        const company = runs.filter((r) => group(r) === group(run));
        await Promise.all(company.flatMap((r) => r.links).map((l) => ready.get(l.target)).filter((p) => p !== undefined));
        try {
          await job(run, `[${run.targets[0]}] `);
        } finally {
          linked.get(run.targets[0])!();
        }
      }));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return failures;
}

function readPushed(dir: string): PushedTwin[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as PushedTwin);
}
