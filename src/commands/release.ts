import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Compiled } from '../compile.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import type { PlanTarget } from '../plan/plan.js';
import { mergeSteps, releaseTags, selectRelease, type PushedTwin } from '../release/release-plan.js';
import { commitEpoch, gitFacts, versionFrom } from '../release/version.js';
import { buildxCommand, runCapture, runTee, type Command } from '../run/exec.js';
import { retryTransientPush } from '../run/retry.js';
import { shellQuote } from '../run/shell-quote.js';
import { planLevels } from '../run/levels.js';
import { repoRoot } from '../load/repo-root.js';
import { writeBakeFile } from './bake.js';
import { compileOrThrow } from './compile-or-throw.js';
import { checkVars } from '../run/check-request.js';

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
  const epoch = o.vars.SOURCE_DATE_EPOCH ?? (await commitEpoch(cwd)) ?? '0';
  const revision = o.vars.GIT_SHA ?? git?.shortSha ?? '';
  const vars = { ...o.vars, VERSION: version, REGISTRY: registry, SOURCE_DATE_EPOCH: epoch, ...(revision ? { GIT_SHA: revision } : {}) };
  const dir = o.digests ?? mkdtempSync(join(tmpdir(), 'matrixbake-digests-'));
  const what = o.only ? `job ${o.group}` : `${sel.nodes.length} images (${o.arch ?? sel.nodes[0]!.archs.join('+')})`;
  o.print(`release ${version}: ${what} to ${repo}, SOURCE_DATE_EPOCH=${epoch}`);

  const failures: string[] = [];
  if (o.phase !== 'merge') failures.push(...(await buildTwins(compiled, sel.twins, { ...o, repo, vars, dir, cwd, sha: revision, epoch })));
  if (o.phase !== 'build') {
    // A dry run builds nothing: the merge shows where each twin's digest would go.
    const pushed = o.dryRun && o.phase === 'all' ? sel.twins.map((t) => ({ target: t.name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo, digest: `<digest of ${t.name}>` })) : readPushed(dir);
    const steps = mergeSteps(plan, sel.nodes, pushed, { repo, version, revision, created: new Date(Number(epoch) * 1000).toISOString(), ...(plan.matrix.project.source ? { source: plan.matrix.project.source } : {}) });
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
      const r = await buildx(args, vars, cwd);
      if (r.exitCode !== 0) {
        failures.push(`${step.node}: imagetools create failed: ${lastLine(r.stderr)}`);
        o.print(`matrixbake: ${failures.at(-1)}`);
        continue;
      }
      o.print(`${step.node}  ${step.tags.join(' ')}  ${await digestOf(step.tags[0]!, cwd)}`);
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
  sha: string;
  epoch: string;
}

/** Each twin and what it links, one bake each; a failure skips what depends on it, not the rest. */
async function buildTwins(compiled: Compiled, twins: PlanTarget[], c: BuildContext): Promise<string[]> {
  const cacheRepo = c.vars.CACHE_REGISTRY ?? compiled.plan.matrix.cache?.registry;
  if (!cacheRepo) throw new UsageError('release links per-arch images through the cache registry: set [cache] registry in the matrix or --var CACHE_REGISTRY=<repo>');
  const runs = planLevels(compiled.plan, twins.map((t) => t.name), { repo: cacheRepo, tag: /^[0-9a-f]+$/.test(c.sha) ? c.sha.slice(0, 12) : 'local', sourceDateEpoch: c.epoch, ...(c.only ? { only: true } : {}) });
  const byName = new Map(compiled.plan.targets.map((t) => [t.name, t]));
  const file = await writeBakeFile(compiled);
  mkdirSync(c.dir, { recursive: true });
  const sbomGenerator = c.sbomGenerator ?? process.env.MATRIXBAKE_SBOM_GENERATOR;
  const broken = new Set<string>();
  const failures: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'matrixbake-release-'));
  try {
    for (const run of runs) {
      const name = run.targets[0]!;
      const t = byName.get(name)!;
      const blockedBy = c.only ? [] : t.links.map((l) => l.target).filter((n) => broken.has(n));
      if (blockedBy.length > 0) {
        broken.add(name);
        c.print(`matrixbake: skipping ${name}: it links ${blockedBy.join(', ')}, which did not build`);
        continue;
      }
      const linkSets = run.set;
      const steps: string[][] = [];
      // A link image for later levels (no attestations, so its digest is reproducible) ...
      if (linkSets.some((s) => s.startsWith(`${name}.output=`))) steps.push(linkSets);
      // ... and, for a published twin, the release image: by digest, with provenance.
      if (t.tagSuffix !== undefined) {
        steps.push([
          ...linkSets.filter((s) => s.startsWith(`${name}.contexts.`) || s.startsWith(`${name}.args.`)),
          `${name}.output=type=image,name=${c.repo},push-by-digest=true,name-canonical=true,push=true,rewrite-timestamp=true`,
          `${name}.attest=type=provenance,mode=max`,
          `${name}.attest=type=sbom${sbomGenerator ? `,generator=${sbomGenerator}` : ''}`,
        ]);
      }
      if (steps.length === 0) steps.push(linkSets);
      for (const [i, sets] of steps.entries()) {
        const metadata = join(work, `${name}-${i}.json`);
        const args = ['bake', '-f', file, ...sets.flatMap((s) => ['--set', s]), '--metadata-file', metadata, ...c.extra, name];
        if (c.dryRun) {
          c.print(shellQuote(['docker', 'buildx', ...args]));
          continue;
        }
        // On stderr, with buildx's progress: one line per job, so a log (or a test) can tell them apart.
        process.stderr.write(`matrixbake: job ${name} (level ${run.level}${steps.length > 1 ? (i === 0 ? ', link image' : ', release image by digest') : ''})\n`);
        const exitCode = await buildxTee(args, c.vars, c.cwd);
        if (exitCode !== 0) {
          broken.add(name);
          failures.push(`${name}: docker buildx bake exited with ${exitCode}`);
          c.print(`matrixbake: ${name} failed (docker buildx bake exited with ${exitCode}); what links it is skipped, its image is not merged`);
          break;
        }
        if (sets.some((s) => s.includes('push-by-digest=true'))) {
          const digest = (JSON.parse(readFileSync(metadata, 'utf8'))[name] ?? {})['containerimage.digest'];
          if (typeof digest !== 'string') throw new BuildFailed(`${name}: buildx wrote no containerimage.digest to its metadata file`);
          const pushed: PushedTwin = { target: name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo: c.repo, digest };
          writeFileSync(join(c.dir, `${name}.json`), `${JSON.stringify(pushed, null, 2)}\n`);
        }
      }
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

/** Promotion: the staged index copied by digest to the release registry, never rebuilt. */
export async function promoteCommand(o: { matrix: string; group: string; from: string; registry?: string; version?: string; dryRun: boolean; warn: (d: Diagnostic) => void; print: (l: string) => void }): Promise<void> {
  const { plan } = await compileOrThrow(o.matrix, o.warn);
  const cwd = repoRoot(o.matrix);
  const sel = selectRelease(plan, o.group);
  if ('error' in sel) throw new UsageError(`${sel.error} (hint: ${sel.hint})`);
  const registry = o.registry ?? plan.matrix.project.registry;
  if (!registry) throw new UsageError('promote needs the release registry: --registry R');
  const git = await gitFacts(cwd);
  const version = o.version ?? (git ? versionFrom(git) : undefined);
  if (!version) throw new UsageError('no --version given and no git repository to read one from');
  const image = plan.matrix.project.image;
  const failures: string[] = [];
  for (const n of sel.nodes) {
    const [staged] = releaseTags(`${o.from}/${image}`, version, n.tagSuffix!);
    const tags = releaseTags(`${registry}/${image}`, version, n.tagSuffix!);
    if (o.dryRun) {
      o.print(shellQuote(['docker', 'buildx', 'imagetools', 'create', '--prefer-index=false', ...tags.flatMap((t) => ['-t', t]), `${o.from}/${image}@<digest of ${staged}>`]));
      continue;
    }
    const digest = await digestOf(staged!, cwd);
    if (!digest) {
      failures.push(`${n.name}: ${staged} not found in the staging registry`);
      continue;
    }
    // --prefer-index=false: one source is copied as it is (same digest), not wrapped in a new index.
    const r = await buildx(['imagetools', 'create', '--prefer-index=false', ...tags.flatMap((t) => ['-t', t]), `${o.from}/${image}@${digest}`], {}, cwd);
    const promoted = r.exitCode === 0 ? await digestOf(tags[0]!, cwd) : undefined;
    if (promoted !== digest) failures.push(`${n.name}: ${tags[0]} is ${promoted ?? 'missing'}, staged ${digest}${r.exitCode !== 0 ? `: ${lastLine(r.stderr)}` : ''}`);
    else o.print(`${n.name}  ${tags.join(' ')}  ${digest}`);
  }
  if (failures.length > 0) throw new BuildFailed(`promotion incomplete: ${failures.join('; ')}`);
}

/** The digest of what a tag points to (the index, or the manifest), as the registry has it. */
async function digestOf(ref: string, cwd: string): Promise<string | undefined> {
  const r = await buildx(['imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'], {}, cwd);
  if (r.exitCode !== 0) return undefined;
  const digest = (JSON.parse(r.stdout) as { digest?: unknown }).digest;
  return typeof digest === 'string' ? digest : undefined;
}

async function buildxOrThrow(): Promise<Command> {
  const b = await buildxCommand();
  if (!b) throw new BuildFailed('docker buildx is not installed', 'run `make setup` (scripts/install-toolchain.sh) to install the pinned buildx');
  return b;
}

async function buildx(args: string[], env: Record<string, string>, cwd: string) {
  const b = await buildxOrThrow();
  return runCapture({ file: b.file, args: [...b.args, ...args] }, env, cwd);
}

async function buildxTee(args: string[], env: Record<string, string>, cwd: string): Promise<number> {
  const b = await buildxOrThrow();
  const say = (l: string) => process.stderr.write(`${l}\n`);
  return (await retryTransientPush(() => runTee({ file: b.file, args: [...b.args, ...args] }, env, cwd), say)).exitCode;
}

function lastLine(s: string): string {
  return s.trim().split('\n').at(-1) ?? '';
}
