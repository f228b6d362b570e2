import { withNodeTags } from '../bake/node-tags.js';
import { resolveBake } from '../bake/resolve.js';
import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed } from '../errors.js';
import { repoRoot } from '../load/repo-root.js';
import { repositoryOf } from '../plan/tags.js';
import { headSha, withBranch } from '../run/git.js';
import { platformFilter, withoutMetadataFlag } from '../run/bake-args.js';
import { chooseBakePath } from '../run/bake-path.js';
import { buildxOrThrow } from '../run/buildx-or-throw.js';
import { checkSets, checkTargets, checkVars } from '../run/check-request.js';
import { runTee } from '../run/exec.js';
import { createIndexArgs } from '../run/imagetools.js';
import { BUILD_EPOCH, cacheRegistryOf, linkTag, nodeMerges, type LevelOptions, type NodeMerge } from '../run/levels.js';
import { perArchOfPlatform } from '../run/platform-pick.js';
import { byLevel, levelRuns, oneBake, type Run } from '../run/runs.js';
import { shellQuote } from '../shell-quote.js';
import { compileOrThrow } from './compile-or-throw.js';
import { executeBake } from '../run/execute-bake.js';
import { writeBakeFile } from '../write/write-bake-file.js';

export interface BakeOptions {
  matrix: string;
  targets: string[];
  dryRun: boolean;
  push: boolean;
  /** buildx `--set` overrides, passed through. */
  set: string[];
  /** Bake variable overrides (VERSION=..., PUSH_CACHE=true), given to buildx as its environment. */
  vars: Record<string, string>;
  /** Extra buildx arguments after `--`. */
  extra: string[];
  /** One bake per target in dependency levels, linked through pushed images (src/run/levels.ts): the default with a cache registry. */
  levels?: boolean;
  /** One bake of every target, linked by `target:` contexts. */
  oneBake?: boolean;
  /** The summary as JSON on stdout instead of a table. */
  json?: boolean;
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
  /** Progress notes and warnings (stderr), kept off stdout so --json stays one document. */
  note: (line: string) => void;
}

/** Compiles to a content-addressed temp file and runs `docker buildx bake` on it. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  checkSets(o.set);
  checkVars(compiled, o.vars);
  checkTargets(compiled, o.targets);
  const file = await writeBakeFile(compiled);
  const { extra, metadataFile: userMetadata } = withoutMetadataFlag(o.extra);
  const asked = o.targets.length > 0 ? o.targets : ['default'];
  const cwd = repoRoot(o.matrix);
  const cacheRegistry = cacheRegistryOf(compiled.plan, o.vars);
  const path = chooseBakePath({ ...o, cacheRegistry: cacheRegistry || undefined });
  const picked = path.kind === 'one-bake' ? perArchOfPlatform(compiled, asked, o.set) : { targets: asked };
  if (picked.note) o.note(picked.note);
  const targets = picked.targets;
  // With levels a platform is chosen by building that arch's twins; a --set would rename them all.
  const { archs, rest: userSets } =
    path.kind === 'levels' ? platformFilter(o.set, compiled.plan.matrix.arch?.values.map((v) => v.value) ?? []) : { rest: o.set };
  const options = ['-f', file, ...userSets.flatMap((s) => ['--set', s]), ...(o.push && path.kind !== 'levels' ? ['--push'] : []), ...extra];
  const vars = await withBranch(o.vars, cwd);
  const sha = vars.GIT_SHA || (await headSha(cwd)) || '';
  const lo: LevelOptions = {
    repo: cacheRegistry ?? '',
    tag: /^[0-9a-f]+$/.test(sha) ? sha.slice(0, 12) : 'local',
    sourceDateEpoch: /^\d+$/.test(vars.SOURCE_DATE_EPOCH ?? '') ? vars.SOURCE_DATE_EPOCH! : BUILD_EPOCH,
    ...(archs ? { archs } : {}),
    ...(o.push ? { publish: true } : {}),
  };
  // Published nodes made from their twins' images: all of them with levels, and in one bake those
  // built as their twins (per-arch args), whose twins push by digest to the node's repository.
  const merges = !o.push
    ? []
    : path.kind === 'levels'
      ? nodeMerges(compiled.plan, targets, archs)
      : path.kind === 'one-bake'
        ? nodeMerges(compiled.plan, targets).filter((m) => compiled.plan.targets.find((t) => t.name === m.node)!.perArch)
        : [];
  const resolved = merges.length > 0 ? resolveBake(withNodeTags(compiled), vars) : undefined;
  const tagsOf = (node: string) => (resolved?.target[node]?.tags as string[] | undefined) ?? [];
  /** Where a twin's image is: the link image (levels), or its digest in the node's repository (one bake). */
  const sourceRepo = (m: NodeMerge) => (path.kind === 'levels' ? lo.repo : repositoryOf(tagsOf(m.node)[0] ?? ''));
  const twinOutputs =
    path.kind === 'one-bake'
      ? merges.flatMap((m) => m.twins.map((t) => `${t}.output=type=image,name=${sourceRepo(m)},push-by-digest=true,name-canonical=true,push=true`))
      : [];
  const env = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  // rawjson, drawn as plain text here (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !extra.some((a) => /^--progress(=|$)/.test(a));
  const argsOf = (run: Run, sets: string[], metadata?: string) => [
    'bake',
    ...options,
    ...(ownProgress && metadata ? ['--progress=rawjson'] : []),
    ...sets.flatMap((s) => ['--set', s]),
    ...(metadata ? ['--metadata-file', metadata] : []),
    ...run.targets,
  ];

  if (path.kind === 'passthrough') {
    // `-- --print` and the like: buildx's answer is the output; a build summary would say nothing.
    const run = oneBake(targets);
    if (o.dryRun) return o.print(`cd ${shellQuote([cwd])} && ${shellQuote(['docker', 'buildx', ...argsOf(run, [], userMetadata)])}`);
    const buildx = await buildxOrThrow();
    const { exitCode } = await runTee({ file: buildx.file, args: [...buildx.args, ...argsOf(run, [], userMetadata)] }, vars, cwd);
    if (exitCode !== 0) throw new BuildFailed(`docker buildx bake exited with ${exitCode}`, undefined, exitCode);
    return;
  }
  const runs = path.kind === 'levels' ? levelRuns(compiled, targets, lo) : [oneBake(targets, twinOutputs)];
  const levelCount = new Set(runs.map((r) => r.level)).size;
  o.note(
    path.kind === 'levels'
      ? `matrixbake: levels: ${runs.length} per-arch targets in ${levelCount} levels, a stage's targets started together as soon as the images they link are pushed, linked by digest through ${cacheRegistry}:link-*, so a fresh builder restores every step from the registry cache (--one-bake: one bake)`
      : `matrixbake: one bake: ${path.why}`,
  );
  const mergeArgs = (m: NodeMerge, digestOf: (t: string) => string) =>
    createIndexArgs({
      annotations: [
        `org.opencontainers.image.revision=${vars.GIT_SHA ?? sha}`,
        `org.opencontainers.image.version=${vars.VERSION ?? 'latest'}`,
        `org.opencontainers.image.description=${compiled.plan.targets.find((t) => t.name === m.node)!.description}`,
      ].map((a) => `index:${a}`),
      tags: tagsOf(m.node),
      sources: m.twins.map((t) => `${sourceRepo(m)}@${digestOf(t)}`),
    });
  if (o.dryRun) {
    // Level by level: at run time a target starts as soon as its links are pushed, with these sets.
    for (const run of path.kind === 'levels' ? byLevel(runs) : runs) {
      const sets = run.sets((t) => `<digest-of-${t}>`);
      o.print(`cd ${shellQuote([cwd])} && ${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(['docker', 'buildx', ...argsOf(run, sets)])}`);
    }
    for (const m of merges) o.print(shellQuote(['docker', 'buildx', ...mergeArgs(m, (t) => `<digest-of-${t}>`)]));
    return;
  }
  await executeBake({
    compiled,
    runs,
    levels: path.kind === 'levels',
    linkTag: (t) => linkTag(lo, t),
    argsOf,
    ownProgress,
    vars,
    cwd,
    json: !!o.json,
    ...(userMetadata ? { userMetadata } : {}),
    merges: merges.map((m) => ({ node: m.node, tags: tagsOf(m.node), args: (digestOf: (t: string) => string) => mergeArgs(m, digestOf) })),
    print: o.print,
    note: o.note,
  });
}
