import { closest } from '../../diagnostics.js';
import { ARCH_AXIS } from '../../model/model.js';
import { keyPath } from '../../show-value.js';
import type { RuleContext } from '../rule.js';

export interface Misspelt {
  /** The axis as [matrix] names it. */
  defined: string;
  /** Where the other spelling is used. */
  refs: string[];
}

/**
 * Axis names used by stages, excludes and [axis] tables that [matrix] lacks, when an axis of
 * [matrix] that nothing uses is spelt almost alike: one rename, reported once at [matrix] (axes
 * rule) instead of once per use (stages and excludes rules skip them).
 */
export function misspeltAxes({ file, model }: Pick<RuleContext, 'file' | 'model'>): Map<string, Misspelt> {
  const defined = [...model.axes.map((a) => a.name), ...(model.arch ? [model.arch.name] : [])];
  const uses = new Map<string, string[]>();
  const use = (name: string, ref: string) => uses.set(name, [...(uses.get(name) ?? []), ref]);
  for (const s of model.stages) s.axes.forEach((a, i) => a !== ARCH_AXIS && use(a, keyPath('stage', s.name, 'axes', i)));
  for (const ex of model.excludes) for (const a of Object.keys(ex.match)) use(a, keyPath('matrix', 'exclude', ex.index, a));
  for (const a of Object.keys(file.axis)) use(a, keyPath('axis', a));
  // arch is used by every stage without being named.
  const unused = defined.filter((d) => d !== ARCH_AXIS && !uses.has(d));
  const unknown = [...uses.keys()].filter((u) => !defined.includes(u));
  const out = new Map<string, Misspelt>();
  for (const name of unknown) {
    const free = unused.filter((u) => ![...out.values()].some((m) => m.defined === u));
    // One unknown name and one unused axis are one rename, however far apart (`frame`, `framework`).
    const guess = closest(name, free) ?? (unknown.length === 1 && free.length === 1 ? free[0] : undefined);
    if (guess) out.set(name, { defined: guess, refs: uses.get(name)! });
  }
  return out;
}
