import { ARCH_AXIS, DEFAULT_CI_COMMAND, DEFAULT_RUNNERS, DEFAULT_TAGS, type Axis, type Exclude, type Matrix, type Stage } from './model.js';
import type { MatrixFile } from './schema.js';
import { composedPath } from './composed.js';

/**
 * Shape-checked file -> the model. Total: references that do not resolve are kept as written
 * and reported by the rules, so this never throws on bad input.
 */
export function normaliseMatrix(file: string, m: MatrixFile): Matrix {
  const { exclude, include: _refused, ...axisLists } = m.matrix;
  const axes: Axis[] = Object.entries(axisLists).map(([name, values]) => normaliseAxis(m, name, values));
  const arch = axes.find((a) => a.name === ARCH_AXIS);
  const others = axes.filter((a) => a.name !== ARCH_AXIS);
  const stages: Stage[] = Object.entries(m.stage).map(([name, s]) => ({
    name,
    target: s.target ?? name,
    ...dockerfileOf(m, s.dockerfile),
    append: s.append ?? [],
    axes: s.axes,
    uses: Object.entries(s.uses).map(([context, stage]) => ({ context, stage })),
    contexts: s.contexts,
    publish: s.publish,
    ...(s.tags ? { tags: s.tags } : {}),
    args: s.args,
    variables: s.variables,
    variableArgs: s.variable_args,
    excludes: s.exclude.map(toExclude),
    sccache: m.sccache !== undefined && (s.sccache ?? true),
    ...(s.description ? { description: s.description } : {}),
  }));
  return {
    file,
    project: {
      image: m.project.image,
      registry: m.project.registry,
      context: m.project.context,
      ...(m.project.source ? { source: m.project.source } : {}),
      ...(m.project.description ? { description: m.project.description } : {}),
      args: m.project.args,
      composedDir: m.project.composed_dir,
      tags: m.project.tags ?? DEFAULT_TAGS,
    },
    axes: others,
    ...(arch ? { arch } : {}),
    ...primary(others),
    excludes: exclude.map(toExclude),
    when: m.when.map((w, index) => {
      const { args, stages: only, ...rest } = w;
      const match = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]));
      return { index, match, args, ...(only ? { stages: only } : {}) };
    }),
    stages,
    ...(m.cache ? { cache: m.cache } : {}),
    ...(m.sccache
      ? {
          sccache: {
            bucket: m.sccache.bucket,
            region: m.sccache.region,
            auth: m.sccache.auth,
            keyPrefix: m.sccache.key_prefix ?? m.project.image,
            on: m.sccache.on,
            args: { use: m.sccache.args.use, bucket: m.sccache.args.bucket, region: m.sccache.args.region, keyPrefix: m.sccache.args.key_prefix },
          },
        }
      : {}),
    variables: m.variables,
    argStages: Object.fromEntries(Object.entries(m.arg).map(([name, a]) => [name, a.stages])),
    lintAccept: (m.lint?.accept ?? []).map((a, index) => ({ index, ...a })),
    ci: { runners: { ...DEFAULT_RUNNERS, ...m.ci?.runners }, command: m.ci?.command ?? DEFAULT_CI_COMMAND },
  };
}

/** One file as it is; a list as the composed file bake reads, with its parts (one file: itself). */
function dockerfileOf(m: MatrixFile, written: string | string[] | undefined): { dockerfile?: string; dockerfileParts?: string[] } {
  if (written === undefined) return {};
  if (typeof written === 'string') return { dockerfile: written };
  if (written.length === 1) return { dockerfile: written[0]! };
  return { dockerfile: composedPath(m.project.composed_dir, written), dockerfileParts: written };
}

function toExclude(e: MatrixFile['matrix']['exclude'][number], index: number): Exclude {
  const { reason, ...rest } = e;
  const match = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)]));
  return { index, match, reason };
}

function normaliseAxis(m: MatrixFile, name: string, values: string[]): Axis {
  const spec = Object.hasOwn(m.axis, name) ? m.axis[name] : undefined;
  const template = spec?.label ?? '{value}';
  return {
    name,
    values: values.map((value) => {
      const attrs = spec && Object.hasOwn(spec.values, value) ? spec.values[value] : undefined;
      return {
        value,
        // `arm/v7` cannot stand in a target name; its twin is `<node>-arm-v7`.
        // `{value}` stands for a name-safe spelling (3.12 -> 3_12, arm/v7 -> arm-v7); an explicit
        // label is taken as written, and checked like every name.
        label: attrs?.label ?? template.replaceAll('{value}', () => nameSafe(name, value)),
        args: attrs?.args ?? {},
        contexts: attrs?.contexts ?? {},
        ...dockerfileOf(m, attrs?.dockerfile),
        ...(attrs?.description ? { description: attrs.description } : {}),
      };
    }),
  };
}

function nameSafe(axis: string, value: string): string {
  return axis === ARCH_AXIS ? value.replaceAll('/', '-') : value.replace(/[^A-Za-z0-9_-]/g, '_');
}

// The first axis written under [matrix] (arch aside) leads tags and groups: Dynamo writes
// `framework` first, for `vllm-runtime`. No axis name is special; the order says it.
function primary(axes: Axis[]): { primaryAxis?: string } {
  const name = axes[0]?.name;
  return name === undefined ? {} : { primaryAxis: name };
}
