import { closest, error } from '../../diagnostics.js';
import type { Rule } from '../rule.js';

// What other tools call the arches a matrix writes as amd64 and arm64 (uname -m, Rust, Node).
const ALIASES: Record<string, string> = { aarch64: 'arm64', arm: 'arm/v7', x86_64: 'amd64', 'x86-64': 'amd64', x64: 'amd64', i386: '386' };

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
    const guess = ALIASES[key] !== undefined && arches.includes(ALIASES[key]) ? ALIASES[key] : closest(key, arches);
    report(error(path, `${what} is not a value of matrix.arch${guess ? ` (did you mean "${guess}"?)` : ''}`, `runner keys are the arch values: ${arches.join(', ')}`));
  }
};
