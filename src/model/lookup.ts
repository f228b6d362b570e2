import type { AxisValue, Matrix } from './model.js';

// Planning looks axis values up once per node and name part: with 10,000 cells a linear
// `values.find` per lookup made compile quadratic. An index per matrix, built on first use.

const indexes = new WeakMap<Matrix, Map<string, Map<string, AxisValue>>>();

/** The value `value` of axis `axis` (arch included), or undefined. */
export function axisValue(m: Matrix, axis: string, value: string): AxisValue | undefined {
  let index = indexes.get(m);
  if (!index) {
    index = new Map([...m.axes, ...(m.arch ? [m.arch] : [])].map((a) => [a.name, new Map(a.values.map((v) => [v.value, v]))]));
    indexes.set(m, index);
  }
  return index.get(axis)?.get(value);
}
