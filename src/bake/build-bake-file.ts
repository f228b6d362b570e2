import { posix } from 'node:path';
import { isRemote } from '../model/remote.js';
import type { Plan, PlanTarget } from '../plan/plan.js';
import { BUILTIN_VARIABLES } from '../model/variables.js';
import type { BakeFile, BakeFileStream, BakeGroup, BakeTarget, BakeVariable, TargetAttribute } from './bake-file.js';
import { bool, cond, list, map, ref, str, tpl, type Expr } from './expr.js';
import { cacheFrom, cacheKeys, cacheTo } from './cache.js';
import { sccacheArgs, sccacheSecrets, sccacheVariables } from './sccache.js';
import { planIndex } from '../plan/plan-index.js';
import { isEmpty } from '../is-empty.js';

/** The plan as a bake file value (variables, groups, targets). Reads the plan; decides nothing new. */
export function buildBakeFile(plan: Plan, header: string[]): BakeFile {
  const file = bakeFileStream(plan, header);
  return { ...file, targets: [...file.targets] };
}

/** The same, its targets made as they are read. */
export function bakeFileStream(plan: Plan, header: string[]): BakeFileStream {
  const m = plan.matrix;
  const builtin = (name: string, def: Expr): BakeVariable => ({ name, default: def, comment: `${name}: ${BUILTIN_VARIABLES[name]!.description}` });
  const variables: BakeVariable[] = [
    builtin('REGISTRY', str(m.project.registry)),
    builtin('VERSION', str('latest')),
    builtin('CACHE_REGISTRY', str(m.cache?.registry ?? '')),
    builtin('BRANCH', str('main')),
    builtin('PUSH_CACHE', bool(false)),
    builtin('USE_SCCACHE', bool(false)),
    builtin('GIT_SHA', str('')),
    builtin('USER_UID', str('1000')),
    builtin('USER_GID', str('0')),
    ...sccacheVariables(m),
    ...Object.entries(m.variables).map(([name, v]) => ({ name, default: str(v), comment: `${name}: declared in [variables]` })),
  ];
  return {
    header,
    variables,
    groups: [
      ...plan.groups.map((g) => ({ name: g.name, comment: g.description, targets: g.targets })),
      ...plan.targets.filter((t) => t.perArch).map((t) => perArchGroup(plan, t)),
    ],
    targets: { [Symbol.iterator]: () => bakeTargets(plan) },
  };
}

function* bakeTargets(plan: Plan): Generator<BakeTarget> {
  const shared = new Shared();
  for (const t of plan.targets) if (!t.perArch) yield bakeTarget(plan, t, shared);
}

/**
 * Attribute values that many targets print alike (a stage's context, Dockerfile and target, a
 * link), made once per file and shared: an Expr is never changed once made. A 10,000-target file
 * held a copy in each target, and copying those was much of the garbage collector's work.
 */
class Shared {
  // By key, then value: no joined string to make and hash for each of 10,000 targets.
  private readonly pairs = new Map<string, Map<string, [string, Expr]>>();

  /** `[key, str(value)]`, the same pair for the same key and value. */
  pair<K extends string>(key: K, value: string): [K, Expr] {
    let byValue = this.pairs.get(key);
    if (!byValue) this.pairs.set(key, (byValue = new Map()));
    let p = byValue.get(value);
    if (!p) byValue.set(value, (p = [key, str(value)]));
    return p as [K, Expr];
  }

  private readonly links = new Map<string, Map<string, [string, Expr]>>();

  /** A link's named context: `[context, str("target:<target>")]`, the same pair for the same link. */
  link(context: string, target: string): [string, Expr] {
    let byTarget = this.links.get(context);
    if (!byTarget) this.links.set(context, (byTarget = new Map()));
    let p = byTarget.get(target);
    if (!p) byTarget.set(target, (p = this.pair(context, `target:${target}`)));
    return p;
  }

  private readonly dockerfiles = new Map<string, Map<string, [TargetAttribute, Expr]>>();

  /** The Dockerfile as bake reads it from the context, worked out once per context and file. */
  dockerfile(t: PlanTarget): [TargetAttribute, Expr] {
    let inContext = this.dockerfiles.get(t.context);
    if (!inContext) this.dockerfiles.set(t.context, (inContext = new Map()));
    let p = inContext.get(t.dockerfile);
    if (!p) inContext.set(t.dockerfile, (p = this.pair('dockerfile', dockerfileInContext(t.context, t.dockerfile))));
    return p;
  }
}

const REGISTRY = ref('REGISTRY');
const VERSION = ref('VERSION');
const REVISION_LABEL: [string, Expr] = ['org.opencontainers.image.revision', ref('GIT_SHA')];
const VERSION_LABEL: [string, Expr] = ['org.opencontainers.image.version', VERSION];
// Untagged targets (intermediate stages, per-arch twins) only feed links and cache; saying so
// keeps `--push` of a group from failing on them with "tag is needed when pushing".
const CACHE_ONLY: [TargetAttribute, Expr] = ['output', list([str('type=cacheonly')])];

function bakeTarget(plan: Plan, t: PlanTarget, shared: Shared): BakeTarget {
  const m = plan.matrix;
  const description = str(t.description);
  const attrs: [TargetAttribute, Expr][] = [['description', description], shared.pair('context', t.context)];
  // Lists made by map are as long as what they hold (an empty list grown by push keeps room for
  // 17, and the file holds one per target); only the rarer sources and variables are pushed on.
  const contexts = t.links.map((l) => shared.link(l.context, l.target));
  if (t.sources.length > 0) contexts.push(...t.sources.map((s) => shared.pair(s.context, s.source)));
  if (contexts.length > 0) attrs.push(['contexts', map(contexts)]);
  attrs.push(shared.dockerfile(t), shared.pair('target', t.dockerTarget));
  const args = t.args.map((a) => shared.pair(a.name, a.value));
  // Most targets of a large catalog pass no variable: no lists to make and join for them.
  if (t.variableArgs.length > 0 || t.sccache || !isEmpty(t.renamedVariables))
    args.push(
      ...t.variableArgs.map((v): [string, Expr] => [v, ref(v)]),
      ...Object.entries(t.renamedVariables).map(([arg, v]): [string, Expr] => [arg, ref(v)]),
      ...(t.sccache ? sccacheArgs(m) : []),
    );
  if (args.length > 0) attrs.push(['args', map(args)]);
  attrs.push(['labels', map(labels(plan, t, description))]);
  if (t.tags !== undefined && t.arch === undefined) attrs.push(['tags', list(tags(plan, t.tags))]);
  else attrs.push(CACHE_ONLY);
  if (t.platforms.length > 0) attrs.push(['platforms', list(t.platforms.map(str))]);
  if (m.cache) {
    attrs.push(['cache-from', list(cacheFrom(m.cache, cacheKeys(plan, t)))]);
    attrs.push(['cache-to', cond(ref('PUSH_CACHE'), list([cacheTo(t.name)]), list([]))]);
  }
  if (t.sccache && m.sccache && m.sccache.auth !== 'none') attrs.push(['secret', cond(ref('USE_SCCACHE'), list(sccacheSecrets(m.sccache.auth)), list([]))]);
  // The matrix sets these for the cell, and [arg.<NAME>] keeps them to other stages.
  const withheld =
    t.withheld.length > 0 ? `not passed here: ${t.withheld.map((w) => `${w.name} (arg.${w.name}.stages: ${w.stages.join(', ')})`).join(', ')}` : undefined;
  return { name: t.name, ...(withheld ? { comment: withheld } : {}), attributes: attrs };
}

// Bake has one set of args per target, so a node whose arches differ in args is its twins: a group
// under the node's name, so `bake <node>` and the groups that list it build both arches.
function perArchGroup(plan: Plan, t: PlanTarget): BakeGroup {
  const why = t.perArch!.args.length > 0 ? `args ${t.perArch!.args.join(', ')} differ per arch` : `it links ${t.perArch!.links.join(', ')}, built per arch`;
  const tags = t.tagSuffix !== undefined ? `; \`matrixbake bake --push\` and \`release\` merge their images into its tags` : '';
  return {
    name: t.name,
    comment: `${t.description}: built as its per-arch twins (${why})${tags}`,
    targets: (planIndex(plan).twins.get(t.name) ?? []).map((x) => x.name),
  };
}

/** The tags a published node gets, as bake templates: `${REGISTRY}/dynamo:${VERSION}-vllm-runtime-cuda12` and `latest-`. */
export function publishedTags(plan: Plan, t: PlanTarget): Expr[] {
  return t.tags === undefined ? [] : tags(plan, t.tags);
}

// The matrix names Dockerfiles from the repo root; bake reads `dockerfile` from the context
// (docker/buildx bake/bake.go toBuildOpt: path.Join(contextPath, dockerfile)), so a context other
// than "." would look for <context>/<dockerfile>. Inside a remote context the path is its own.
function dockerfileInContext(context: string, dockerfile: string): string {
  return isRemote(context) || isRemote(dockerfile) ? dockerfile : posix.relative(`/${context}`, `/${dockerfile}`);
}

// The node's tag templates (plan/tags.ts) as bake templates: `{registry}/` is `${REGISTRY}/`, or
// nothing when the matrix names no registry (a local tag); `{version}` is `${VERSION}`. Dynamo's
// default: `${REGISTRY}/dynamo:${VERSION}-vllm-runtime-cuda12` and its `latest-` twin.
function tags(plan: Plan, templates: string[]): Expr[] {
  return templates.map((t) => {
    const rest = t.startsWith('{registry}/') ? t.slice('{registry}/'.length) : t;
    const parts: (string | Expr)[] = rest === t || !plan.matrix.project.registry ? [] : [REGISTRY, '/'];
    rest.split('{version}').forEach((s, i) => {
      if (i > 0) parts.push(VERSION);
      if (s !== '') parts.push(s);
    });
    return parts.every((p) => typeof p === 'string') ? str(parts.join('')) : tpl(...parts);
  });
}

function labels(plan: Plan, t: PlanTarget, description: Expr): [string, Expr][] {
  const { image, source } = plan.matrix.project;
  const title: [string, Expr] = ['org.opencontainers.image.title', str(`${image}-${t.tagSuffix ?? t.node}`)];
  const described: [string, Expr] = ['org.opencontainers.image.description', description];
  return source
    ? [title, described, ['org.opencontainers.image.source', str(source)], REVISION_LABEL, VERSION_LABEL]
    : [title, described, REVISION_LABEL, VERSION_LABEL];
}
