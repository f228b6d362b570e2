import type { Compiled } from '../compile.js';
import { didYouMean } from '../diagnostics.js';
import { UsageError } from '../errors.js';

// What a bake or release is asked for, checked against the bake file before buildx runs: buildx
// would take an unknown variable silently (it is just environment) and name an unknown target
// only after loading everything; here both get one line with a did-you-mean.

/** Variables buildx itself reads from the environment, declared or not. */
const BUILDX_READS = ['SOURCE_DATE_EPOCH'];

export function checkVars(compiled: Compiled, vars: Record<string, string>): void {
  const known = [...compiled.bake.variables.map((v) => v.name), ...BUILDX_READS];
  for (const name of Object.keys(vars)) {
    if (!known.includes(name)) throw new UsageError(`--var ${name}: the bake file has no variable ${name}${didYouMean(name, known)} (it has ${known.join(', ')})`);
  }
}

export function checkTargets(compiled: Compiled, names: string[]): void {
  const known = [...compiled.bake.groups.map((g) => g.name), ...compiled.bake.targets.map((t) => t.name)];
  for (const name of names) {
    if (!known.includes(name)) throw new UsageError(`no target or group "${name}" in ${compiled.plan.matrix.file}${didYouMean(name, known)} (\`matrixbake list\` shows the targets)`);
  }
}

/** buildx's `--set target.key=value` (the target may be a pattern such as `*`). */
export function checkSets(sets: string[]): void {
  for (const s of sets) {
    if (!/^[^=.\s]+\.[^=\s]+=/.test(s)) throw new UsageError(`--set needs TARGET.KEY=VALUE (e.g. --set '*.platform=linux/amd64'), got "${s}"`);
  }
}
