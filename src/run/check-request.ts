import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Compiled } from '../compile.js';
import { ociLayoutDir } from '../model/sources.js';
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
    if (!known.includes(name))
      throw new UsageError(`--var ${name}: the bake file has no variable ${name}${didYouMean(name, known)} (it has ${known.join(', ')})`);
  }
}

export function checkTargets(compiled: Compiled, names: string[], what = ''): void {
  const known = [...compiled.bake.groups.map((g) => g.name), ...compiled.bake.targets.map((t) => t.name)];
  for (const name of names) {
    if (!known.includes(name))
      throw new UsageError(
        `${what}no target or group "${name}" in ${compiled.plan.matrix.file}${didYouMean(name, known)} (\`matrixbake list\` shows the targets)`,
      );
  }
}

/**
 * buildx's `--set target.key=value`: the target a pattern (`*`, `base-*`) or one of the matrix's
 * targets or groups. buildx would refuse an unknown one only after compiling ("could not find any
 * target matching"), and say nothing of where the name came from.
 */
export function checkSets(compiled: Compiled, sets: string[]): void {
  for (const s of sets) {
    if (!/^[^=.\s]+\.[^=\s]+=/.test(s)) throw new UsageError(`--set needs TARGET.KEY=VALUE (e.g. --set '*.platform=linux/amd64'), got "${s}"`);
    const target = setTarget(s);
    if (!/[*?[]/.test(target)) checkTargets(compiled, [target], `--set ${s}: `);
  }
}

/** The target part of a `--set`: `base-cuda12` of `base-cuda12.args.X=1`. */
export const setTarget = (set: string): string => set.slice(0, set.indexOf('.'));

/**
 * The directories and OCI layouts the targets read as named contexts, present before buildx runs:
 * buildx would fail on one only once it sends the contexts, with a stat error that names no key.
 */
export function checkSources(compiled: Compiled, targets: Iterable<string>, repo: string): void {
  const wanted = new Set(targets);
  for (const t of compiled.plan.targets) {
    if (!wanted.has(t.name)) continue;
    for (const s of t.sources) {
      if (s.kind === 'image') continue;
      const dir = s.kind === 'local' ? s.source : ociLayoutDir(s.source);
      const there = s.kind === 'local' ? isDirectory(resolve(repo, dir)) : existsSync(resolve(repo, dir, 'index.json'));
      if (!there)
        throw new UsageError(
          `${t.name} reads named context "${s.context}" from ${s.kind === 'local' ? 'directory' : 'OCI layout'} "${dir}" (${s.from}), which is not there under ${repo}: create it before the build, or fix the path (\`matrixbake lint\` checks every one)`,
        );
    }
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
