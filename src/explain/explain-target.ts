import type { BakeTarget } from '../bake/bake-file.js';
import { list, type Expr } from '../bake/expr.js';
import { publishedTags } from '../bake/build-bake-file.js';
import { escapeTemplateText, templateSource } from '../bake/template.js';
import type { Compiled } from '../compile.js';
import { printHclExpr } from '../emit/hcl/print-expr.js';
import type { PlanLink, PlanSource, PlanTarget, WithheldArg } from '../plan/plan.js';
import { excludeEffects, type ExcludeEffect } from './exclude-effects.js';

// One target, explained from the plan (where things come from) and the bake file model (what
// buildx is given). Nothing here re-derives either: bake expressions are printed as they are.

interface ExplainedArg {
  name: string;
  /** As the bake file has it: `"3.12"`, `BUILD_NONCE`, `USE_SCCACHE ? "true" : null`. */
  bake: string;
  /** The matrix key: `axis.cuda.values.12.args`, `stage.base.variables`, or `sccache` (its settings, with USE_SCCACHE). */
  from: string;
  /** A literal's value. */
  value?: string;
  /** A bake variable passed as the arg: its name and default, as the bake file declares it. */
  variable?: { name: string; default: string };
  /** The values other keys gave it, which `from` beats. */
  over?: { from: string; value: string }[];
}

export interface Explanation {
  target: string;
  description: string;
  /** The multi-arch node; differs from `target` for a per-arch twin. */
  node: string;
  /** Set for a per-arch twin. */
  arch?: string;
  /** The node's per-arch twins (for a node). */
  twins: string[];
  /** Axis values, the arch included for a twin. */
  cell: Record<string, string>;
  stage: string;
  level: number;
  dockerfile: string;
  /** The matrix key that chose the Dockerfile. */
  dockerfileKey: string;
  /** For a composed Dockerfile: the files it concatenates, in order. */
  dockerfileParts?: string[];
  /** The Dockerfile stage built. */
  dockerTarget: string;
  platforms: string[];
  /** Set on a node built as its twins: the args that differ per arch, the per-arch nodes it links. */
  perArch?: { args: string[]; links: string[] };
  /** For a node built as its twins: the args every twin gets (each twin adds its arch's). */
  args: ExplainedArg[];
  /** Args keys set for its cell that `[arg.<NAME>] stages` keeps to other stages. */
  withheld: WithheldArg[];
  links: PlanLink[];
  /** Named contexts that are no stage. */
  sources: PlanSource[];
  /** Who links this target: the target, the context it reads this one as, and `via` when inherited. */
  linkedBy: PlanLink[];
  /** Bake templates, as in the bake file; undefined without [cache]. */
  cache?: { from: string[]; to: string[]; toWhen?: string };
  /** Bake templates of the tags; empty when untagged, with `untagged` saying why. */
  tags: string[];
  untagged?: string;
  excludes: ExcludeEffect[];
}

/** undefined when the plan has no such target. */
export function explainTarget(compiled: Compiled, name: string): Explanation | undefined {
  const { plan, bake, expansion } = compiled;
  const t = plan.targets.find((x) => x.name === name);
  // A node built as its twins (per-arch args) is a group in the bake file: its facts are the plan's.
  const b = bake.targets.find((x) => x.name === name);
  if (!t || (!b && !t.perArch)) return undefined;
  const arch = plan.matrix.arch?.name;
  const cacheFrom = b && attr(b, 'cache-from');
  const cacheTo = items(b && attr(b, 'cache-to'));
  const tags = b ? attr(b, 'tags') : t.tagSuffix !== undefined ? list(publishedTags(plan, t)) : undefined;
  return {
    target: t.name,
    description: t.description,
    node: t.node,
    ...(t.arch !== undefined ? { arch: t.arch } : {}),
    twins: t.arch === undefined ? plan.targets.filter((x) => x.arch !== undefined && x.node === t.name).map((x) => x.name) : [],
    cell: { ...t.values, ...(t.arch !== undefined && arch ? { [arch]: t.arch } : {}) },
    stage: t.stage,
    level: t.level,
    dockerfile: t.dockerfile,
    dockerfileKey: t.dockerfileKey,
    ...(t.dockerfileParts ? { dockerfileParts: t.dockerfileParts } : {}),
    dockerTarget: t.dockerTarget,
    platforms: t.platforms,
    ...(t.perArch ? { perArch: t.perArch } : {}),
    args: b
      ? explainArgs(compiled, t, b)
      : t.args.map((a) => ({ name: a.name, bake: JSON.stringify(a.value), from: a.from, value: a.value, ...(a.over ? { over: a.over } : {}) })),
    withheld: t.withheld,
    links: t.links,
    sources: t.sources,
    linkedBy: plan.targets.flatMap((x) =>
      x.links.filter((l) => l.target === t.name).map((l) => ({ context: l.context, target: x.name, ...(l.via ? { via: l.via } : {}) })),
    ),
    ...(cacheFrom
      ? { cache: { from: items(cacheFrom).items.map(templateText), to: cacheTo.items.map(templateText), ...(cacheTo.when ? { toWhen: cacheTo.when } : {}) } }
      : {}),
    tags: items(tags).items.map(templateText),
    ...(tags
      ? {}
      : {
          untagged:
            t.tagSuffix === undefined
              ? `stage ${t.stage} is not published`
              : `a per-arch twin: \`release\` and \`bake --push\` push it by digest and merge it into the tags of ${t.node}`,
        }),
    excludes: excludeEffects(plan, expansion, t),
  };
}

function explainArgs(compiled: Compiled, t: PlanTarget, b: BakeTarget): ExplainedArg[] {
  const args = attr(b, 'args');
  if (args?.k !== 'map') return [];
  return args.entries.map(([arg, e]): ExplainedArg => {
    const planned = t.args.find((a) => a.name === arg);
    if (planned) return { name: arg, bake: printHclExpr(e), from: planned.from, value: planned.value, ...(planned.over ? { over: planned.over } : {}) };
    const variable = compiled.bake.variables.find((v) => v.name === arg);
    if (t.variableArgs.includes(arg) && variable)
      return {
        name: arg,
        bake: printHclExpr(e),
        from: `stage.${t.stage}.variables`,
        variable: { name: variable.name, default: printHclExpr(variable.default) },
      };
    const renamed = compiled.bake.variables.find((v) => v.name === t.renamedVariables[arg]);
    if (renamed)
      return {
        name: arg,
        bake: printHclExpr(e),
        from: `stage.${t.stage}.variable_args`,
        variable: { name: renamed.name, default: printHclExpr(renamed.default) },
      };
    // The one other source of args (build-bake-file.ts): sccache settings, null unless USE_SCCACHE.
    return { name: arg, bake: printHclExpr(e), from: 'sccache' };
  });
}

function attr(b: BakeTarget, name: string): Expr | undefined {
  return b.attributes.find(([k]) => k === name)?.[1];
}

/** A list, or `VAR ? [...] : []` (cache-to with PUSH_CACHE): its items and the variable they wait on. */
function items(e: Expr | undefined): { items: Expr[]; when?: string } {
  if (e === undefined) return { items: [] };
  if (e.k === 'list') return { items: e.items };
  if (e.k === 'cond' && e.test.k === 'var' && e.then.k === 'list' && e.else.k === 'list' && e.else.items.length === 0)
    return { items: e.then.items, when: e.test.name };
  return { items: [e] };
}

/** A string-valued expression as template text, unquoted: `type=registry,ref=${CACHE_REGISTRY}:...`. */
function templateText(e: Expr): string {
  if (e.k === 'str') return escapeTemplateText(e.v);
  if (e.k === 'tpl')
    return templateSource(
      e.parts,
      (x) => printHclExpr(x),
      (s) => s,
    );
  return printHclExpr(e);
}
