import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { selectCiJobs } from '../../../src/emit/ci/select-jobs.js';
import { compileOk } from '../../support/compile.js';
import { ACTIONLINT_PINNED, actionlint, installedVersion, requireActionlint } from '../../support/actionlint.js';

// The GitHub workflows are code too: actionlint checks their syntax, expressions, job needs,
// runner labels and the shell in `run:` (with shellcheck when it is installed).

const BIN = requireActionlint();
const DIR = '.github/workflows';
const CONTAINERS = join(DIR, 'containers.yml');
const others = existsSync(DIR)
  ? readdirSync(DIR)
      .filter((f) => /\.ya?ml$/.test(f) && f !== 'containers.yml')
      .map((f) => join(DIR, f))
  : [];

function tempWorkflow(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mb-wf-')), 'workflow.yml');
  writeFileSync(file, text);
  return file;
}

describe.skipIf(!BIN)('GitHub workflows pass actionlint', () => {
  it('containers.yml', () => {
    const r = actionlint(BIN!, [CONTAINERS]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it.each(others)('%s', (file) => {
    const r = actionlint(BIN!, [file]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  it(`is the pinned actionlint (${ACTIONLINT_PINNED})`, () => {
    expect(installedVersion(BIN!)).toBe(ACTIONLINT_PINNED);
  });
});

describe.skipIf(!BIN)('actionlint really lints', () => {
  it('rejects a broken workflow, naming the line and the problem', () => {
    const file = tempWorkflow(`on: push
jobs:
  bake:
    steps:
      - run: make bake TARGET=\${{ matrix.target }}
    needs: [plan]
`);
    const r = actionlint(BIN!, [file]);
    expect(r.status).toBe(1);
    expect(r.output).toMatch(/workflow\.yml:3:3: "runs-on" section is missing in job "bake" \[syntax-check\]/);
    expect(r.output).toMatch(/job "bake" needs job "plan" which does not exist in this workflow \[job-needs\]/);
    expect(r.output).toMatch(/workflow\.yml:5:35: property "target" is not defined in object type \{\} \[expression\]/);
  });

  it('accepts a workflow that fans out over `make -s ci-matrix` (one job per level)', () => {
    const file = tempWorkflow(`on: push
jobs:
  plan:
    runs-on: ubuntu-24.04
    outputs:
      matrix: \${{ steps.ci.outputs.matrix }}
    steps:
      - uses: actions/checkout@v4
      - id: ci
        run: echo "matrix=$(make -s ci-matrix ARGS=--levels)" >> "$GITHUB_OUTPUT"
  level0:
    needs: plan
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix).level0 }}
    runs-on: \${{ matrix.runner }}
    steps:
      - uses: actions/checkout@v4
      - run: make bake TARGET="\${{ matrix.target }}" ARGS="--var PUSH_CACHE=true"
  level1:
    needs: [plan, level0]
    strategy:
      matrix: \${{ fromJSON(needs.plan.outputs.matrix).level1 }}
    runs-on: \${{ matrix.runner }}
    steps:
      - uses: actions/checkout@v4
      - run: make bake TARGET="\${{ matrix.target }}" ARGS="--var PUSH_CACHE=true"
`);
    const r = actionlint(BIN!, [file]);
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('containers.yml chains the fan-out of matrix/dynamo.toml', () => {
  it('has a job per dependency level, each needing the one before, and a merge after the last', async () => {
    const wf = parse(readFileSync(CONTAINERS, 'utf8')) as { jobs: Record<string, { needs?: string | string[]; uses?: string }> };
    const jobs = selectCiJobs((await compileOk('matrix/dynamo.toml')).plan, { levels: true });
    if (!jobs.ok) throw new Error('ci --levels failed on dynamo.toml');
    const levels = Math.max(...jobs.value.map((j) => j.level)) + 1;
    const levelJobs = Object.keys(wf.jobs).filter((k) => /^level\d+$/.test(k));
    expect(levelJobs.length).toBeGreaterThanOrEqual(levels);
    for (const [i, k] of levelJobs.entries()) {
      expect([wf.jobs[k]!.needs].flat(), k).toContain(i === 0 ? 'plan' : `level${i - 1}`);
      expect(wf.jobs[k]!.uses).toBe('./.github/workflows/bake-level.yml');
    }
    expect([wf.jobs.merge!.needs].flat()).toEqual(expect.arrayContaining(levelJobs));
    // Each job builds its own target only (links come from earlier levels' images) and pushes by digest.
    expect(readFileSync(join(DIR, 'bake-level.yml'), 'utf8')).toMatch(/release "\$MATRIX" "\$\{\{ matrix\.target \}\}" --phase build --only/);
  });
});
