import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { repoRoot } from '../load/repo-root.js';
import { linkClosure } from '../plan/closure.js';
import { mergeSteps, selectRelease } from '../release/release-plan.js';
import { versionFrom } from '../release/version.js';
import { commitEpoch, gitFacts, headSha, withBranch } from '../run/git.js';
import { checkSources, checkVars } from '../run/check-request.js';
import { BUILD_EPOCH } from '../run/levels.js';
import { mergeRelease } from '../run/release-merge.js';
import { buildTwins, readPushed } from '../run/release-twins.js';
import { writeComposed } from '../write/write-composed.js';
import { compileOrThrow } from './compile-or-throw.js';

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
    checkSources(
      compiled,
      linkClosure(
        plan,
        sel.twins.map((t) => t.name),
      ),
      cwd,
    );
    await writeComposed(plan, cwd);
  }
  if (o.phase !== 'merge')
    failures.push(...(await buildTwins(compiled, sel.twins, { ...o, repo, vars, dir, cwd, sha: o.vars.GIT_SHA || (await headSha(cwd)) || '', epoch })));
  if (o.phase !== 'build') {
    // A dry run builds nothing: the merge shows where each twin's digest would go.
    const pushed =
      o.dryRun && o.phase === 'all'
        ? sel.twins.map((t) => ({ target: t.name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo, digest: `<digest of ${t.name}>` }))
        : readPushed(dir);
    const steps = mergeSteps(plan, sel.nodes, pushed, {
      registry,
      version,
      revision,
      created: new Date(Number(created) * 1000).toISOString(),
      ...(plan.matrix.project.source ? { source: plan.matrix.project.source } : {}),
    });
    failures.push(...(await mergeRelease(steps, { dryRun: o.dryRun, vars, cwd, print: o.print })));
  }
  if (!o.digests) rmSync(dir, { recursive: true, force: true });
  if (failures.length > 0) throw new BuildFailed(`release incomplete: ${failures.length} problem${failures.length > 1 ? 's' : ''}: ${failures.join('; ')}`);
}
