import { error, fail, ok, warning, type Result } from '../diagnostics.js';
import type { Cell, Exclude, Matrix } from '../model/model.js';

export interface Expansion {
  /** Every combination of axis values that no exclude removed, in axis order. */
  cells: Cell[];
  /** How many cells each exclude removed (by exclude index), for dead-exclude warnings. */
  removed: number[];
  /** Each removed cell with the exclude that removed it (the first that matches), for `explain`. */
  excluded: { cell: Cell; by: number }[];
}

/** Like GitHub Actions' matrix.exclude: an exclude matches a cell when every axis it names matches. */
export function matches(ex: Exclude, cell: Cell): boolean {
  return Object.entries(ex.match).every(([axis, values]) => values.includes(cell[axis]!));
}

/**
 * Most cells a matrix may have. Dynamo's has 12, and 10,000 compile in about a second (`make
 * bench`); a matrix past this is a slip (an axis pasted by the ten thousand) that would take
 * minutes and gigabytes to plan and emit.
 */
const MAX_CELLS = 100_000;

/**
 * The cell with one more axis value, copied key by key: Node 20's V8 gives each object copied by
 * spread (`{ ...cell, [axis]: v }`) a hidden class of its own, and every read of 10,000 such cells
 * took its slowest path (bench/NOTES.md, "One shape per cell").
 */
function withValue(cell: Cell, axis: string, value: string): Cell {
  const out: Cell = {};
  for (const k in cell) out[k] = cell[k]!;
  out[axis] = value;
  return out;
}

export function expandCells(m: Matrix): Result<Expansion> {
  const axes = [...m.axes, ...(m.arch ? [m.arch] : [])];
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > MAX_CELLS) {
    const sizes = axes.map((a) => `${a.name} ${a.values.length}`).join(' x ');
    return fail([
      {
        ...error('matrix', `the axes make ${count} cells (${sizes}), over the limit of ${MAX_CELLS}`, 'split the matrix into several files, or drop values'),
        file: m.file,
      },
    ]);
  }
  let all: Cell[] = [{}];
  for (const axis of axes) all = all.flatMap((cell) => axis.values.map((v) => withValue(cell, axis.name, v.value)));
  const removed = m.excludes.map(() => 0);
  const excluded: Expansion['excluded'] = [];
  const cells = all.filter((cell) => {
    const first = m.excludes.find((ex) => matches(ex, cell));
    if (first) {
      removed[first.index]! += 1;
      excluded.push({ cell, by: first.index });
    }
    return !first;
  });
  const at = (ex: Exclude) => ({ file: m.file, ...error(`matrix.exclude[${ex.index}]`, '') });
  if (cells.length === 0) {
    return fail([
      {
        ...at(m.excludes[0]!),
        message: `the excludes remove all ${all.length} cells of the matrix`,
        hint: 'an exclude names values to drop; keep at least one combination',
      },
    ]);
  }
  const warnings = m.excludes
    .filter((ex) => removed[ex.index] === 0)
    .map((ex) => ({
      ...warning(`matrix.exclude[${ex.index}]`, 'this exclude removes no cell (an earlier exclude already removed what it matches)', 'delete it'),
      file: m.file,
    }));
  return ok({ cells, removed, excluded }, warnings);
}
