import { matches, type Expansion } from '../expand/expand-cells.js';
import type { Cell, Exclude, Matrix } from '../model/model.js';
import { nodeName, twinName } from '../plan/names.js';
import type { Plan, PlanTarget } from '../plan/plan.js';

/** What one exclude did around a target. */
export interface ExcludeEffect {
  exclude: Exclude;
  /** Where it is written: `matrix.exclude[0]`, `stage.local-dev.exclude[0]`. */
  key: string;
  /**
   * Siblings it removed: targets of the same stage whose values differ from this one's in one of
   * the stage's axes (or, for a twin, the arch) and that no cell is left for.
   */
  removed: string[];
  /** How many of the cells this target is built for it removed... */
  cells: number;
  /** ...and their values on the other axes, an axis left out when every value was removed. */
  cellsWith: Record<string, string[]>;
}

/**
 * Reads the expansion's removed cells (each with the exclude that removed it); decides nothing new.
 * An exclude counts only for a target that varies over every axis it names (the stage's axes, and
 * the arch: a node's platforms, a twin's own): base-cuda12 is the same image whichever framework
 * an exclude drops, so the exclude says nothing about it.
 */
export function excludeEffects(plan: Plan, expansion: Expansion, t: PlanTarget): ExcludeEffect[] {
  const m = plan.matrix;
  const stage = m.stages.find((s) => s.name === t.stage)!;
  const arch = t.arch === undefined ? undefined : m.arch!.name;
  const keyAxes = [...m.axes.filter((a) => stage.axes.includes(a.name)).map((a) => a.name), ...(arch ? [arch] : [])];
  const own: Cell = { ...t.values, ...(arch ? { [arch]: t.arch! } : {}) };
  const exists = new Set(plan.targets.map((x) => x.name));
  const varies = new Set([...stage.axes, ...(m.arch ? [m.arch.name] : [])]);
  // The matrix's excludes, then the stage's own (what they drop of the cells the matrix keeps).
  const all = [
    ...m.excludes.map((exclude) => ({ exclude, key: `matrix.exclude[${exclude.index}]` })),
    ...stage.excludes.map((exclude) => ({ exclude, key: `stage.${stage.name}.exclude[${exclude.index}]` })),
  ];
  const ownExcluded = expansion.cells.flatMap((cell) => {
    const ex = stage.excludes.find((e) => matches(e, cell));
    return ex ? [{ cell, by: m.excludes.length + ex.index }] : [];
  });
  const found = new Map<number, { removed: Set<string>; cells: Cell[] }>();
  for (const { cell, by } of [...expansion.excluded, ...ownExcluded]) {
    if (!Object.keys(all[by]!.exclude.match).every((a) => varies.has(a))) continue;
    const differ = keyAxes.filter((a) => cell[a] !== own[a]).length;
    if (differ > 1) continue;
    const at = found.get(by) ?? found.set(by, { removed: new Set(), cells: [] }).get(by)!;
    if (differ === 0) {
      at.cells.push(cell);
      continue;
    }
    const node = nodeName(m, stage, Object.fromEntries(stage.axes.map((a) => [a, cell[a]!])));
    const name = arch ? twinName(m, node, cell[arch]!) : node;
    if (!exists.has(name)) at.removed.add(name);
  }
  return [...found.entries()]
    .sort(([a], [b]) => a - b)
    .filter(([, f]) => f.removed.size > 0 || f.cells.length > 0)
    .map(([index, f]) => ({ ...all[index]!, removed: [...f.removed], cells: f.cells.length, cellsWith: summarise(m, keyAxes, f.cells) }));
}

function summarise(m: Matrix, keyAxes: string[], cells: Cell[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const axis of [...m.axes, ...(m.arch ? [m.arch] : [])]) {
    if (keyAxes.includes(axis.name) || cells.length === 0) continue;
    const seen = new Set(cells.map((c) => c[axis.name]!));
    if (seen.size < axis.values.length) out[axis.name] = axis.values.map((v) => v.value).filter((v) => seen.has(v));
  }
  return out;
}
