import { relative, resolve, sep } from 'node:path';
import { didYouMean, type Diagnostic } from '../diagnostics.js';
import { CI_EMITTERS, type CiFormat } from '../emit/ci/ci-emitters.js';
import { selectCiJobs } from '../emit/ci/select-jobs.js';
import { InputError, UsageError } from '../errors.js';
import { repoRoot } from '../load/repo-root.js';
import { compileOrThrow } from './compile-or-throw.js';

export interface CiOptions {
  matrix: string;
  format: CiFormat;
  /** Only the nodes of this plan group (and, with `levels`, what they link). */
  group?: string;
  /** Every twin needed, grouped by dependency level. */
  levels: boolean;
  warn: (d: Diagnostic) => void;
}

/** The CI fan-out matrix for stdout: one job per per-arch target, in the format's own shape. */
export async function ciCommand(o: CiOptions): Promise<string> {
  const { plan } = await compileOrThrow(o.matrix, o.warn);
  const groups = plan.groups.map((g) => g.name);
  if (o.group !== undefined && !groups.includes(o.group)) {
    throw new UsageError(`no group "${o.group}" in ${o.matrix}${didYouMean(o.group, groups)}`);
  }
  const jobs = selectCiJobs(plan, { levels: o.levels, ...(o.group === undefined ? {} : { group: o.group }) });
  if (!jobs.ok) throw new InputError(jobs.errors);
  if (jobs.value.length === 0)
    throw new UsageError(`group "${o.group}" holds no published image, so CI has no job to run (pick a group with images of a stage that has publish = true)`);
  const ci = {
    source: relative(repoRoot(o.matrix), resolve(o.matrix)).split(sep).join('/'),
    command: plan.matrix.ci.command,
    levels: o.levels,
    ...(o.group === undefined ? {} : { group: o.group }),
    jobs: jobs.value,
  };
  const emitter = CI_EMITTERS[o.format];
  const problems = emitter.check(ci);
  if (problems.length > 0) throw new InputError(problems.map((d) => ({ ...d, file: plan.matrix.file })));
  return emitter.emit(ci);
}
