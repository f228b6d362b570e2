import { didYouMean, error } from '../../diagnostics.js';
import type { Rule } from '../rule.js';

export const excludesNameRealValues: Rule = ({ model, report }) => {
  const axes = [...model.axes, ...(model.arch ? [model.arch] : [])];
  for (const ex of model.excludes) {
    const at = `matrix.exclude[${ex.index}]`;
    if (Object.keys(ex.match).length === 0) {
      report(error(at, 'exclude names no axis, so it would remove every cell', 'name at least one axis value, e.g. framework = "trtllm"'));
    }
    for (const [name, values] of Object.entries(ex.match)) {
      const axis = axes.find((a) => a.name === name);
      if (!axis) {
        report(error(`${at}.${name}`, `unknown axis "${name}"${didYouMean(name, axes.map((a) => a.name))}`));
        continue;
      }
      for (const v of values) {
        if (!axis.values.some((x) => x.value === v)) {
          report(error(`${at}.${name}`, `"${v}" is not a value of matrix.${name}${didYouMean(v, axis.values.map((x) => x.value))}`));
        }
      }
    }
  }
};
