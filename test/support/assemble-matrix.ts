import { isCredentialName } from '../../src/validate/rules/credentials.js';
import type { Drawn } from './matrix-arbitrary.js';

// Drawn choices -> a valid matrix (the parsed TOML tree) and the generator's own reading of it
// (`Spec`): names that would clash are renamed, `uses` link only earlier stages with no wider
// axes (a DAG), excludes that would leave no cell are dropped, args never shadow a variable.

/** Built-in bake variables a stage may pass as args (the bools would print as "false"). */
const BUILTIN_ARGS = ['USER_UID', 'USER_GID', 'GIT_SHA', 'VERSION', 'BRANCH', 'REGISTRY'];
/** Variable names the compiler refuses: the built-ins, and those every shell sets. */
const RESERVED = [
  ...BUILTIN_ARGS,
  'CACHE_REGISTRY',
  'PUSH_CACHE',
  'USE_SCCACHE',
  'SCCACHE_BUCKET',
  'SCCACHE_REGION',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  '_',
  'PWD',
  'OLDPWD',
  'SHLVL',
  'HOME',
  'PATH',
  'USER',
  'LOGNAME',
  'SHELL',
];
const SCCACHE_ARGS = ['USE_SCCACHE', 'SCCACHE_BUCKET', 'SCCACHE_REGION', 'SCCACHE_S3_KEY_PREFIX'];

interface SpecValue {
  value: string;
  label: string;
  args: Record<string, string>;
  dockerfile?: string;
}
export interface SpecStage {
  name: string;
  target: string;
  dockerfile?: string;
  axes: string[];
  uses: { context: string; stage: string }[];
  publish: boolean;
  args: Record<string, string>;
  variables: string[];
  sccache: boolean;
  description?: string;
}
export interface Spec {
  image: string;
  registry: string;
  context: string;
  source?: string;
  args: Record<string, string>;
  axes: { name: string; values: SpecValue[] }[];
  arch?: string[];
  /** Axis -> the values each exclude removes. */
  excludes: Record<string, string[]>[];
  stages: SpecStage[];
  variables: Record<string, string>;
  cache?: { registry: string; fallback: string[] };
  sccache?: { bucket: string; region: string; auth: string; keyPrefix: string };
}

export interface Generated {
  raw: Record<string, unknown>;
  spec: Spec;
}

const nameSafe = (v: string) => v.replace(/[^A-Za-z0-9_-]/g, '_');
/** Args as the model reads them: TOML integers are their digits. */
const strings = (o: Record<string, string | number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
const argMap = (list: [string, string | number][], drop: Set<string>) => Object.fromEntries(list.filter(([n]) => !drop.has(n)));

/** The drawn choices as a matrix the compiler must accept, and what the oracle reads of it. */
export function assembleMatrix(g: Drawn): Generated {
  // Names that would make a target or group clash are renamed until unique.
  const taken = new Set(['all', 'default', 'amd64', 'arm64']);
  const unique = (name: string) => {
    let n = name;
    for (let i = 0; taken.has(n); i++) n = `${name}${i}`;
    taken.add(n);
    return n;
  };
  const variables = Object.fromEntries(g.variables.filter(([n]) => !RESERVED.includes(n) && !isCredentialName(n)));
  const variablePool = [...Object.keys(variables), ...BUILTIN_ARGS];
  const noArgs = new Set([...variablePool, ...SCCACHE_ARGS]);

  const axisNames = new Set(['arch', 'exclude', 'include']);
  const axes = g.axes
    .filter((a) => !axisNames.has(a.name) && (axisNames.add(a.name), true))
    .map((a) => {
      // TOML integers (`cuda = [12, 13]`) only for a whole axis: one kind per axis.
      const ints = a.ints && a.values.every((v) => v.tricky === undefined);
      const seen = new Set<string>();
      const values = a.values
        .map((v) => ({ v, value: v.tricky ?? (ints ? String(v.int) : v.tame) }))
        .filter(({ value }) => !seen.has(value) && (seen.add(value), true))
        .map(({ v, value }) => {
          const templated = a.template.replace('{value}', nameSafe(value));
          const label = unique(v.tricky !== undefined || v.label !== undefined ? (v.label ?? 'l') : templated);
          return {
            value,
            label,
            own: v.tricky !== undefined || label !== templated,
            args: argMap(v.args, noArgs),
            ...(a.dockerfiles ? { dockerfile: v.dockerfile } : {}),
          };
        });
      return { name: a.name, template: a.template, ints, values };
    });
  const all = [...axes.map((a) => ({ name: a.name, values: a.values.map((v) => v.value) })), ...(g.arch ? [{ name: 'arch', values: g.arch }] : [])];

  // Excludes pick existing axes and values; those that would leave no cell are dropped.
  const excludes: Record<string, string[]>[] = [];
  const rawExcludes: Record<string, unknown>[] = [];
  for (const ex of all.length === 0 ? [] : g.excludes) {
    const match: Record<string, string[]> = {};
    const rawEx: Record<string, unknown> = {};
    for (const p of ex.picks) {
      const axis = all[p.axis % all.length]!;
      const values = [...new Set(p.values.map((i) => axis.values[i % axis.values.length]!))];
      const intAxis = axes.find((a) => a.name === axis.name)?.ints ?? false;
      const written = values.map((v) => (intAxis ? Number(v) : v));
      match[axis.name] = values;
      rawEx[axis.name] = p.list || written.length > 1 ? written : written[0];
    }
    if (cellsLeft(all, [...excludes, match]) === 0) continue;
    excludes.push(match);
    rawExcludes.push({ ...rawEx, reason: ex.reason });
  }

  const stages: SpecStage[] = [];
  const rawStages: Record<string, unknown> = {};
  for (const s of g.stages) {
    const name = unique(s.name);
    const stageAxes = axes.filter((_, i) => s.axes[i]).map((a) => a.name);
    const uses: SpecStage['uses'] = [];
    s.uses.forEach((u, i) => {
      const used = stages[stages.length - 1 - i];
      if (!u.on || !used?.axes.every((a) => stageAxes.includes(a))) return;
      // Linking a stage under the name of its own Dockerfile stage is what makes BuildKit pass links on.
      const context = u.asTarget && /^[a-z0-9]+(?:[._/:@-]+[a-z0-9]+)*$/.test(used.target) ? used.target : u.context;
      if (!uses.some((x) => x.context === context)) uses.push({ context, stage: used.name });
    });
    const fromAxis = axes.some((a) => stageAxes.includes(a.name) && a.values.every((v) => v.dockerfile));
    const dockerfile = s.dockerfile ?? (fromAxis ? undefined : 'Dockerfile');
    const variables = [...new Set(s.variables.map((i) => variablePool[i % variablePool.length]!))];
    const sccache = g.sccache !== undefined && (s.sccache ?? true);
    const stage: SpecStage = {
      name,
      target: s.target ?? name,
      axes: stageAxes,
      uses,
      publish: s.publish,
      args: strings(argMap(s.args, noArgs)),
      variables,
      sccache,
      ...(dockerfile ? { dockerfile } : {}),
      ...(s.description ? { description: s.description } : {}),
    };
    stages.push(stage);
    rawStages[name] = {
      ...(dockerfile ? { dockerfile } : {}),
      ...(s.target ? { target: s.target } : {}),
      ...(stageAxes.length > 0 ? { axes: stageAxes } : {}),
      ...(uses.length > 0 ? { uses: Object.fromEntries(uses.map((u) => [u.context, u.stage])) } : {}),
      ...(s.publish ? { publish: true } : {}),
      ...(Object.keys(stage.args).length > 0 ? { args: argMap(s.args, noArgs) } : {}),
      ...(variables.length > 0 ? { variables } : {}),
      // sccache = true without [sccache] is refused; false is always allowed.
      ...(s.sccache === false || (s.sccache === true && g.sccache !== undefined) ? { sccache: s.sccache } : {}),
      ...(s.description !== undefined ? { description: s.description } : {}),
    };
  }

  const matrix: Record<string, unknown> = {};
  const axisTables: Record<string, unknown> = {};
  axes.forEach((a, i) => {
    if (g.arch && i === g.archAt % (axes.length + 1)) matrix.arch = g.arch;
    matrix[a.name] = a.values.map((v) => (a.ints ? Number(v.value) : v.value));
    const values = Object.fromEntries(
      a.values
        .map(
          (v) =>
            [
              v.value,
              {
                ...(v.own ? { label: v.label } : {}),
                ...(Object.keys(v.args).length > 0 ? { args: v.args } : {}),
                ...(v.dockerfile ? { dockerfile: v.dockerfile } : {}),
              },
            ] as const,
        )
        .filter(([, attrs]) => Object.keys(attrs).length > 0),
    );
    if (a.template !== '{value}' || Object.keys(values).length > 0) axisTables[a.name] = { ...(a.template !== '{value}' ? { label: a.template } : {}), values };
  });
  if (g.arch && !('arch' in matrix)) matrix.arch = g.arch;
  if (rawExcludes.length > 0) matrix.exclude = rawExcludes;

  const fallback = g.cache?.fallback;
  const sccache = g.sccache && {
    bucket: g.sccache.bucket,
    region: g.sccache.region,
    auth: g.sccache.auth ?? 'static',
    keyPrefix: g.sccache.keyPrefix ?? g.image,
  };
  const raw = {
    project: {
      image: g.image,
      ...(g.registry !== undefined ? { registry: g.registry } : {}),
      ...(g.context !== undefined ? { context: g.context } : {}),
      ...(g.source !== undefined ? { source: g.source } : {}),
      ...(g.projectArgs.length > 0 ? { args: argMap(g.projectArgs, noArgs) } : {}),
    },
    matrix,
    ...(Object.keys(axisTables).length > 0 ? { axis: axisTables } : {}),
    stage: rawStages,
    ...(g.cache ? { cache: { registry: g.cache.registry, ...(fallback ? { fallback } : {}) } } : {}),
    ...(g.sccache
      ? {
          sccache: {
            bucket: g.sccache.bucket,
            region: g.sccache.region,
            ...(g.sccache.auth ? { auth: g.sccache.auth } : {}),
            ...(g.sccache.keyPrefix ? { key_prefix: g.sccache.keyPrefix } : {}),
          },
        }
      : {}),
    ...(Object.keys(variables).length > 0 ? { variables } : {}),
  };
  const spec: Spec = {
    image: g.image,
    registry: g.registry ?? '',
    context: g.context ?? '.',
    ...(g.source ? { source: g.source } : {}),
    args: strings(argMap(g.projectArgs, noArgs)),
    axes: axes.map((a) => ({ name: a.name, values: a.values.map((v) => ({ ...v, args: strings(v.args) })) })),
    ...(g.arch ? { arch: g.arch } : {}),
    excludes,
    stages,
    variables,
    ...(g.cache ? { cache: { registry: g.cache.registry, fallback: fallback ?? ['main'] } } : {}),
    ...(sccache ? { sccache } : {}),
  };
  return { raw, spec };
}

function cellsLeft(axes: { name: string; values: string[] }[], excludes: Record<string, string[]>[]): number {
  let cells: Record<string, string>[] = [{}];
  for (const a of axes) cells = cells.flatMap((c) => a.values.map((v) => ({ ...c, [a.name]: v })));
  return cells.filter((c) => !excludes.some((ex) => Object.entries(ex).every(([k, vs]) => vs.includes(c[k]!)))).length;
}
