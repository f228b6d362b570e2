import { closest, error, meant } from '../../diagnostics.js';
import { guessArch } from '../../model/arch-names.js';
import { ARCH_AXIS } from '../../model/model.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';
import { misspeltAxes } from './misspelt-axes.js';

export const excludesNameRealValues: Rule = ({ file, model, report }) => {
  const axes = [...model.axes, ...(model.arch ? [model.arch] : [])];
  const axisNames = axes.map((a) => a.name);
  const misspelt = misspeltAxes({ file, model });
  for (const ex of model.excludes) {
    const at = (...rest: string[]) => keyPath('matrix', 'exclude', ex.index, ...rest);
    if (Object.keys(ex.match).length === 0) {
      report(error(at(), 'exclude names no axis, so it would remove every cell', 'name at least one axis value, e.g. framework = "trtllm"'));
    }
    for (const [name, values] of Object.entries(ex.match)) {
      const axis = axes.find((a) => a.name === name);
      if (!axis && misspelt.has(name)) continue;
      if (!axis) {
        const guess = closest(name, axisNames);
        const why = Object.hasOwn(file.axis, name) ? `: [axis.${name}] describes it, but [matrix] gives it no values` : meant(name, guess);
        report(error(at(name), `unknown axis ${showString(name)}${why}`, `an exclude names axes of [matrix]: ${axisNames.join(', ') || 'none'}`));
        continue;
      }
      const known = axis.values.map((x) => x.value);
      for (const v of values) {
        // A value written with a stray space is reported by the axes rule; the exclude names it as meant.
        if (known.includes(v) || known.some((k) => k.trim() === v)) continue;
        const guess = name === ARCH_AXIS ? guessArch(v, known) : closest(v, known);
        const elsewhere = axes.find((a) => a.name !== name && a.values.some((x) => x.value === v));
        const hint = elsewhere ? `${showString(v)} is a value of matrix.${elsewhere.name}: write ${elsewhere.name} = ${showString(v)}` : `the values: ${known.map((k) => showString(k)).join(', ')}`;
        report(error(at(name), `${showString(v)} is not a value of matrix.${name}${meant(v, guess)}`, hint));
      }
    }
  }
};
