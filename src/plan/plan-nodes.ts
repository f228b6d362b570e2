import { matches, type Expansion } from '../expand/expand-cells.js';
import { ARCH_PLATFORMS, type Matrix, type Stage } from '../model/model.js';
import { mergeArgs, setsNoArgs, type MergedArgs } from './args.js';
import { valueLabel } from './names.js';
import type { PlanSource, PlanTarget } from './plan.js';
import { tagFiller } from './tags.js';
import { describe, dockerfileFor, ownSources, sourcesOf, stageOf, withAppended } from './target-inputs.js';

// Cells -> one stage's nodes. What every node of a stage shares (its axes in the matrix's order,
// the stages it links, its tag templates cut at their placeholders, its own contexts) is worked
// out once per stage: a 10,000-cell matrix has 10,000 nodes of one stage, and per-node work and
// garbage were most of `compile` there (bench: compile_10k_cells_ms).

/** What every node of a stage shares. */
interface StageShape {
  /** The stage's axes in the matrix's order: names read them so (`axes = ["cuda", "framework"]` names alike). */
  axes: string[];
  /** Tag suffix order: the primary axis, the stage, then the rest (`vllm-runtime-cuda12`). */
  primary?: string;
  rest: string[];
  links: { context: string; stage: string; axes: string[] }[];
  own: PlanSource[];
  tags?: ReturnType<typeof tagFiller>;
  /** No key sets an arg for the stage (`setsNoArgs`). */
  argless: boolean;
  /** The stage's own Dockerfile, the same for each node; undefined where axis values name it. */
  dockerfile?: ReturnType<typeof dockerfileFor>;
}

const NO_ARGS = (): MergedArgs => ({ args: [], withheld: [], conflicts: [] });

function stageShape(m: Matrix, stage: Stage): StageShape {
  const inMatrixOrder = (names: string[]) => m.axes.filter((a) => names.includes(a.name)).map((a) => a.name);
  const axes = inMatrixOrder(stage.axes);
  const primary = m.primaryAxis !== undefined && axes.includes(m.primaryAxis) ? m.primaryAxis : undefined;
  return {
    axes,
    ...(primary ? { primary } : {}),
    rest: axes.filter((a) => a !== primary),
    links: stage.uses.map((u) => ({ context: u.context, stage: u.stage, axes: inMatrixOrder(stageOf(m, u.stage).axes) })),
    own: ownSources(stage),
    ...(stage.publish ? { tags: tagFiller(m, stage) } : {}),
    argless: setsNoArgs(m, stage),
    ...(stage.dockerfile ? { dockerfile: withAppended(m, stage, dockerfileFor(m, stage, {})) } : {}),
  };
}

export function planNodes(m: Matrix, expansion: Expansion, stage: Stage, level: number, conflict: (c: MergedArgs['conflicts'][number]) => void): PlanTarget[] {
  const shape = stageShape(m, stage);
  // One node per distinct projection of the cells onto the stage's axes; its archs are those the
  // surviving cells under it allow, so an excluded cell never yields a platform or a link.
  const byKey = new Map<string, { values: Record<string, string>; archs: string[] }>();
  // A stage's own excludes drop its cells only: the other stages are still built there.
  for (const cell of expansion.cells) {
    if (stage.excludes.length > 0 && stage.excludes.some((ex) => matches(ex, cell))) continue;
    // NUL cannot occur in a value (the loader refuses it), so the joined values are a key.
    let key = '';
    for (const a of shape.axes) key += `${cell[a]}\0`;
    let entry = byKey.get(key);
    if (!entry) {
      const values: Record<string, string> = {};
      for (const a of shape.axes) values[a] = cell[a]!;
      entry = { values, archs: [] };
      byKey.set(key, entry);
    }
    // A handful of arches: a list, not a Set per node.
    if (m.arch && !entry.archs.includes(cell[m.arch.name]!)) entry.archs.push(cell[m.arch.name]!);
  }
  return [...byKey.values()].map(({ values, archs }) => {
    const labels: Record<string, string> = {};
    for (const a of shape.axes) labels[a] = valueLabel(m, a, values[a]!);
    const named = (first: string, axes: string[]) => {
      let out = first;
      for (const a of axes) out += `-${labels[a]}`;
      return out;
    };
    const name = named(stage.name, shape.axes);
    const merged = shape.argless ? NO_ARGS() : mergeArgs(m, stage, values);
    merged.conflicts.forEach(conflict);
    const archList = m.arch ? m.arch.values.map((v) => v.value).filter((a) => archs.includes(a)) : [];
    const suffix = shape.primary ? `${labels[shape.primary]}-${named(stage.name, shape.rest)}` : name;
    const dockerfile = shape.dockerfile ?? withAppended(m, stage, dockerfileFor(m, stage, values));
    // Built field by field, in one order: spreading the optional ones into the literal made
    // building a node several times slower (a 10,000-cell matrix builds 10,000). The optional
    // fields are there too, undefined where unset: every node and twin then has one hidden class,
    // and the code that reads them was not compiled again for each new one (bench/NOTES.md).
    const node: PlanTarget = {
      name,
      stage: stage.name,
      values,
      node: name,
      archs: archList,
      platforms: archList.map((a) => ARCH_PLATFORMS[a]!),
      context: m.project.context,
      dockerfile: dockerfile.dockerfile,
      dockerfileKey: dockerfile.dockerfileKey,
      dockerTarget: stage.target,
      args: merged.args,
      withheld: merged.withheld,
      variableArgs: stage.variables,
      renamedVariables: stage.variableArgs,
      sources: sourcesOf(m, stage, shape.own, values),
      links: shape.links.map((l) => ({ context: l.context, target: named(l.stage, l.axes) })),
      sccache: stage.sccache,
      description: describe(m, stage, values, archList),
      level,
      dockerfileParts: dockerfile.dockerfileParts,
      tagSuffix: shape.tags ? suffix : undefined,
      tags: shape.tags?.(values, labels, suffix),
      arch: undefined,
      perArch: undefined,
    };
    return node;
  });
}
