import { withNodeTags } from '../bake/node-tags.js';
import { resolveBake } from '../bake/resolve.js';
import type { Compiled } from '../compile.js';
import { repoRoot } from '../load/repo-root.js';
import { repositoryOf } from '../plan/tags.js';
import { writeBakeFile, type InvocationFile } from '../write/write-bake-file.js';
import { platformFilter, withoutMetadataFlag } from './bake-args.js';
import { chooseBakePath, type BakePath } from './bake-path.js';
import { setTarget } from './check-request.js';
import { headSha, withBranch } from './git.js';
import { createIndexArgs } from './imagetools.js';
import { BUILD_EPOCH, cacheRegistryOf, linkTag, nodeMerges, type LevelOptions, type NodeMerge } from './levels.js';
import { perArchOfPlatform } from './platform-pick.js';
import { levelRuns, oneBake, type Run } from './runs.js';
import { planIndex } from '../plan/plan-index.js';

// What a `bake` request becomes before anything runs: the way it builds, its bakes, the file
// buildx reads, and the merges of per-arch twins into their nodes' tags. `--dry-run` prints it;
// src/run/execute-bake.ts runs it.

export interface BakeRequest {
  matrix: string;
  /** Targets or groups; none is group default. */
  targets: string[];
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
}

/** A node's tags made from its twins' images, once their digests are known. */
export interface MergeStep {
  node: string;
  tags: string[];
  args: (digestOf: (twin: string) => string) => string[];
}

export interface BakeInvocation {
  path: BakePath;
  /** The repository root: where buildx runs, so the bake file's relative contexts resolve. */
  cwd: string;
  /** The bake variables buildx gets as its environment, BRANCH filled in from git. */
  vars: Record<string, string>;
  /** The request's own bake file (src/bake/project.ts). */
  file: InvocationFile;
  runs: Run[];
  merges: MergeStep[];
  /** Said before building: how the request's targets were chosen for one bake's platform. */
  pickNote?: string;
  /** Where a link image is tagged (levels). */
  linkTag: (target: string) => string;
  /** Whether matrixbake draws buildx's progress (rawjson) or the user chose one. */
  ownProgress: boolean;
  /** The user's own `--metadata-file`: the runs' metadata merged into it at the end. */
  userMetadata?: string;
  /** A run's `docker buildx bake` arguments, with its pinned links and its metadata file. */
  argsOf: (run: Run, sets: string[], metadata?: string) => string[];
}

export async function planBakeInvocation(compiled: Compiled, o: BakeRequest): Promise<BakeInvocation> {
  const { extra, metadataFile: userMetadata } = withoutMetadataFlag(o.extra);
  const asked = o.targets.length > 0 ? o.targets : ['default'];
  const cwd = repoRoot(o.matrix);
  const cacheRegistry = cacheRegistryOf(compiled.plan, o.vars);
  const path = chooseBakePath({ ...o, cacheRegistry: cacheRegistry || undefined });
  const picked = path.kind === 'one-bake' ? perArchOfPlatform(compiled, asked, o.set) : { targets: asked };
  const targets = picked.targets;
  // With levels a platform is chosen by building that arch's twins; a --set would rename them all.
  const { archs, rest: userSets } =
    path.kind === 'levels' ? platformFilter(o.set, compiled.plan.matrix.arch?.values.map((v) => v.value) ?? []) : { rest: o.set };
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
  const nodes = !o.push
    ? []
    : path.kind === 'levels'
      ? nodeMerges(compiled.plan, targets, archs)
      : path.kind === 'one-bake'
        ? nodeMerges(compiled.plan, targets).filter((m) => planIndex(compiled.plan).target.get(m.node)!.perArch)
        : [];
  const resolved = nodes.length > 0 ? resolveBake(withNodeTags(compiled), vars) : undefined;
  const tagsOf = (node: string) => (resolved?.target[node]?.tags as string[] | undefined) ?? [];
  /** Where a twin's image is: the link image (levels), or its digest in the node's repository (one bake). */
  const sourceRepo = (m: NodeMerge) => (path.kind === 'levels' ? lo.repo : repositoryOf(tagsOf(m.node)[0] ?? ''));
  const twinOutputs = nodes.flatMap((m) =>
    path.kind === 'one-bake' ? m.twins.map((t) => `${t}.output=type=image,name=${sourceRepo(m)},push-by-digest=true,name-canonical=true,push=true`) : [],
  );
  const runs = path.kind === 'levels' ? levelRuns(compiled, targets, lo) : [oneBake(targets, twinOutputs)];
  const file = await writeBakeFile(compiled, path.kind === 'levels' ? [...targets, ...runs.flatMap((r) => r.targets)] : targets);
  // A --set for a target of the matrix this request does not build changes nothing (checkSets
  // refused names the matrix does not have); buildx would refuse it, not finding it in the file.
  const sets = userSets.filter((s) => /[*?[]/.test(setTarget(s)) || file.names.has(setTarget(s)));
  const options = ['-f', file.file, ...sets.flatMap((s) => ['--set', s]), ...(o.push && path.kind !== 'levels' ? ['--push'] : []), ...extra];
  // rawjson, drawn as plain text here (src/run/progress-render.ts), unless the user chose a progress.
  const ownProgress = !extra.some((a) => /^--progress(=|$)/.test(a));
  const description = (node: string) => planIndex(compiled.plan).target.get(node)!.description;
  const merges = nodes.map(
    (m): MergeStep => ({
      node: m.node,
      tags: tagsOf(m.node),
      args: (digestOf) =>
        createIndexArgs({
          annotations: [
            `org.opencontainers.image.revision=${vars.GIT_SHA ?? sha}`,
            `org.opencontainers.image.version=${vars.VERSION ?? 'latest'}`,
            `org.opencontainers.image.description=${description(m.node)}`,
          ].map((a) => `index:${a}`),
          tags: tagsOf(m.node),
          sources: m.twins.map((t) => `${sourceRepo(m)}@${digestOf(t)}`),
        }),
    }),
  );
  return {
    path,
    cwd,
    vars,
    file,
    runs,
    merges,
    ...(picked.note ? { pickNote: picked.note } : {}),
    linkTag: (t) => linkTag(lo, t),
    ownProgress,
    ...(userMetadata ? { userMetadata } : {}),
    argsOf: (run, sets, metadata) => [
      'bake',
      ...options,
      ...(ownProgress && metadata ? ['--progress=rawjson'] : []),
      ...sets.flatMap((s) => ['--set', s]),
      ...(metadata ? ['--metadata-file', metadata] : []),
      ...run.targets,
    ],
  };
}
