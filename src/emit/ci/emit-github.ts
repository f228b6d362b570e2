import { error, type Diagnostic } from '../../diagnostics.js';
import { matricesOf, type CiJob, type CiMatrix } from './ci-job.js';

// GitHub Actions: `strategy: matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}` takes
// `{"include": [...]}`, one job per entry. One line, so it can be written to $GITHUB_OUTPUT as
// `matrix=<json>`. With levels, one such matrix per level: `fromJSON(...).level0`.

/** GitHub's limit: "A matrix will generate a maximum of 256 jobs per workflow run". */
const GITHUB_MAX_JOBS = 256;

const FIELDS = ['target', 'node', 'stage', 'platform', 'arch', 'runner', 'level', 'publish'] as const;

type JsonScalar = string | number | boolean;

export function emitGithub(ci: CiMatrix): string {
  const include = (jobs: CiJob[]) => `{"include":[${jobs.map(entry).join(',')}]}`;
  if (!ci.levels) return `${include(ci.jobs)}\n`;
  return `{${matricesOf(ci)
    .map((jobs, i) => `${JSON.stringify(`level${i}`)}:${include(jobs)}`)
    .join(',')}}\n`;
}

// Printed from an entry list, not an object: JS would move an axis named like an integer first.
function entry(j: CiJob): string {
  const fields: [string, JsonScalar][] = [...FIELDS.map((f) => [f, j[f]] as [string, JsonScalar]), ...j.values];
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
}

export function checkGithub(ci: CiMatrix): Diagnostic[] {
  const out: Diagnostic[] = [];
  const axes = new Set(ci.jobs.flatMap((j) => j.values.map(([a]) => a)));
  for (const a of axes) {
    if ((FIELDS as readonly string[]).includes(a))
      out.push(error(`matrix.${a}`, `axis "${a}" has the name of a field of every CI job (${FIELDS.join(', ')})`, 'rename the axis'));
  }
  matricesOf(ci).forEach((jobs, i) => {
    if (jobs.length > GITHUB_MAX_JOBS) {
      out.push(
        error(
          undefined,
          `${ci.levels ? `level ${i} has` : 'the fan-out has'} ${jobs.length} jobs, and a GitHub Actions matrix runs at most ${GITHUB_MAX_JOBS}`,
          ci.levels ? 'narrow it with --group G' : 'split it with --levels or narrow it with --group G',
        ),
      );
    }
  });
  return out;
}
