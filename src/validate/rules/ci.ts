import { error, meant } from '../../diagnostics.js';
import { guessArch } from '../../model/arch-names.js';
import type { Rule } from '../rule.js';

/** `[ci.runners]` keys are arch values: a key no job can have would silently never be used. */
export const runnersNameArchValues: Rule = ({ file, model, report }) => {
  const arches = model.arch?.values.map((v) => v.value) ?? [];
  for (const [key, runner] of Object.entries(file.ci?.runners ?? {})) {
    if (arches.includes(key)) continue;
    const path = `ci.runners.${key}`;
    const what = `"${key}" (runner "${runner}")`;
    if (arches.length === 0) {
      report(error(path, `${what} names an arch, but the matrix has no arch axis`, 'add arch = [...] under [matrix], or remove [ci.runners]'));
      continue;
    }
    const guess = guessArch(key, arches);
    report(error(path, `${what} is not a value of matrix.arch${meant(key, guess)}`, `runner keys are the arch values: ${arches.join(', ')}`));
  }
};
