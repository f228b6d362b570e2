import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed } from '../errors.js';
import { planBakeInvocation, type BakeRequest } from '../run/bake-invocation.js';
import { buildxOrThrow } from '../run/buildx-or-throw.js';
import { checkSets, checkTargets, checkVars } from '../run/check-request.js';
import { runTee } from '../run/exec.js';
import { executeBake } from '../run/execute-bake.js';
import { cacheRegistryOf } from '../run/levels.js';
import { byLevel } from '../run/runs.js';
import { shellQuote } from '../shell-quote.js';
import { compileOrThrow } from './compile-or-throw.js';

/** What `matrixbake bake` is asked (src/run/bake-invocation.ts), and how it answers. */
export interface BakeOptions extends BakeRequest {
  dryRun: boolean;
  /** The summary as JSON on stdout instead of a table. */
  json?: boolean;
  warn: (d: Diagnostic) => void;
  print: (line: string) => void;
  /** Progress notes and warnings (stderr), kept off stdout so --json stays one document. */
  note: (line: string) => void;
}

/** Compiles, checks the request, then prints its bakes (--dry-run) or runs them. */
export async function bakeCommand(o: BakeOptions): Promise<void> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  checkSets(compiled, o.set);
  checkVars(compiled, o.vars);
  checkTargets(compiled, o.targets);
  const inv = await planBakeInvocation(compiled, o);
  if (inv.pickNote) o.note(inv.pickNote);
  const { cwd, file, path, runs } = inv;
  const cd = `cd ${shellQuote([cwd])} && `;
  if (o.dryRun) o.print(`# ${file.file}: ${file.targets} of the matrix's ${file.of} bake targets, what this request builds`);
  if (path.kind === 'passthrough') {
    // `-- --print` and the like: buildx's answer is the output; a build summary would say nothing.
    const args = inv.argsOf(runs[0]!, [], inv.userMetadata);
    if (o.dryRun) return o.print(`${cd}${shellQuote(['docker', 'buildx', ...args])}`);
    const buildx = await buildxOrThrow();
    const { exitCode } = await runTee({ file: buildx.file, args: [...buildx.args, ...args] }, inv.vars, cwd);
    if (exitCode !== 0) throw new BuildFailed(`docker buildx bake exited with ${exitCode}`, undefined, exitCode);
    return;
  }
  o.note(
    path.kind === 'levels'
      ? `matrixbake: levels: ${runs.length} per-arch targets in ${new Set(runs.map((r) => r.level)).size} levels, a stage's targets started together as soon as the images they link are pushed, linked by digest through ${cacheRegistryOf(compiled.plan, o.vars)}:link-*, so a fresh builder restores every step from the registry cache (--one-bake: one bake)`
      : `matrixbake: one bake: ${path.why}`,
  );
  if (o.dryRun) {
    // Level by level: at run time a target starts as soon as its links are pushed, with these sets.
    const env = Object.entries(inv.vars).map(([k, v]) => `${k}=${v}`);
    for (const run of path.kind === 'levels' ? byLevel(runs) : runs) {
      const sets = run.sets((t) => `<digest-of-${t}>`);
      o.print(`${cd}${env.length > 0 ? `${shellQuote(env)} ` : ''}${shellQuote(['docker', 'buildx', ...inv.argsOf(run, sets)])}`);
    }
    for (const m of inv.merges) o.print(shellQuote(['docker', 'buildx', ...m.args((t) => `<digest-of-${t}>`)]));
    return;
  }
  await executeBake({ ...inv, compiled, levels: path.kind === 'levels', json: !!o.json, print: o.print, note: o.note });
}
