import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileCommand } from '../../../src/commands/compile.js';
import type { CheckFailed } from '../../../src/errors.js';
import { formatFinding } from '../../../src/lint/finding.js';
import { lintPlan } from '../../../src/lint/lint-plan.js';
import { compose, sourceLine } from '../../../src/model/composed.js';
import { compileOk, compileText } from '../../support/compile.js';
import { repoCopy } from '../../support/repo-copy.js';
import { formatDiagnostic } from '../../../src/diagnostics.js';

// Composed Dockerfiles: Dynamo's dev images are the framework's Dockerfile with dev/Dockerfile.dev
// appended (its build script concatenates them). test/fixtures/matrices/composed.toml is built
// on a real BuildKit by test/e2e/demo.test.ts.

const MATRIX = 'test/fixtures/matrices/composed.toml';
const FILES = [MATRIX, 'test/fixtures/composed', 'dockerfiles/demo/Dockerfile'];

describe('composed Dockerfiles', () => {
  it('concatenate the parts in order, and map each line back to its part', () => {
    const c = compose([
      { file: 'a/Dockerfile', text: '# syntax=docker/dockerfile:1\nFROM x AS a\n' },
      { file: 'dev/Dockerfile.dev', text: 'FROM a AS dev\nRUN true' },
    ]);
    // The syntax directive stays first; the note goes last.
    expect(c.text).toBe(
      '# syntax=docker/dockerfile:1\nFROM x AS a\nFROM a AS dev\nRUN true\n# Composed by matrixbake from a/Dockerfile + dev/Dockerfile.dev, in that order: edit those, not this file.\n',
    );
    expect([1, 2, 3, 4].map((l) => sourceLine(c, l))).toEqual([
      { file: 'a/Dockerfile', line: 1 },
      { file: 'a/Dockerfile', line: 2 },
      { file: 'dev/Dockerfile.dev', line: 1 },
      { file: 'dev/Dockerfile.dev', line: 2 },
    ]);
  });

  it("stage.append adds a file to each framework's Dockerfile; a dockerfile list composes one stage's", async () => {
    const plan = (await compileOk(MATRIX)).plan;
    const dev = plan.targets.find((t) => t.name === 'dev-sglang')!;
    expect(dev.dockerfileParts).toEqual(['test/fixtures/composed/Dockerfile.sglang', 'test/fixtures/composed/Dockerfile.dev']);
    expect(dev.dockerfile).toMatch(/^test\/\.tmp\/composed\/Dockerfile\.sglang\+Dockerfile\.dev-[0-9a-f]{8}\.Dockerfile$/);
    expect(plan.targets.find((t) => t.name === 'runtime-sglang')!.dockerfileParts).toBeUndefined();
    const { result } = await compileText(
      '[project]\nimage = "x"\n[matrix]\narch = ["amd64"]\n[stage.dev]\ndockerfile = ["Dockerfile", "dev/Dockerfile.dev"]\n',
    );
    if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
    expect(result.value.plan.targets[0]!.dockerfile).toMatch(/^bake\/composed\/Dockerfile\+Dockerfile\.dev-[0-9a-f]{8}\.Dockerfile$/);
  });

  it('lint reads the parts and names the part and line a finding is at', async () => {
    expect((await lintPlan((await compileOk(MATRIX)).plan, '.')).map(formatFinding)).toEqual([]);
    const repo = repoCopy(FILES);
    repo.edit('test/fixtures/composed/Dockerfile.dev', (t) => t.replace('ARG DEV_TOOLS=gdb\n', ''));
    const found = (await lintPlan((await compileOk(repo.file(MATRIX))).plan, repo.root)).map(formatFinding);
    expect(found).toEqual([
      expect.stringMatching(
        /^test\/fixtures\/composed\/Dockerfile\.dev:2: stage\.dev\.args\.DEV_TOOLS: build arg DEV_TOOLS is passed to stage "dev" but no ARG DEV_TOOLS is declared/,
      ),
    ]);
  });

  it("compile -o writes them next to the bake file's repository; --check finds one stale", async () => {
    const repo = repoCopy(FILES);
    const out = repo.file('bake/composed.hcl');
    await compileCommand({ matrix: repo.file(MATRIX), out, format: 'hcl', check: false, warn: () => {} });
    const plan = (await compileOk(repo.file(MATRIX))).plan;
    const dev = plan.targets.find((t) => t.name === 'dev-vllm')!;
    expect(readFileSync(repo.file(dev.dockerfile), 'utf8')).toBe(
      `${readFileSync('test/fixtures/composed/Dockerfile.vllm', 'utf8')}${readFileSync('test/fixtures/composed/Dockerfile.dev', 'utf8')}# Composed by matrixbake from test/fixtures/composed/Dockerfile.vllm + test/fixtures/composed/Dockerfile.dev, in that order: edit those, not this file.\n`,
    );
    expect(await compileCommand({ matrix: repo.file(MATRIX), out, format: 'hcl', check: true, warn: () => {} })).toContain('is current');
    repo.edit('test/fixtures/composed/Dockerfile.dev', (t) => t.replace('gdb', 'lldb'));
    const stale = await compileCommand({ matrix: repo.file(MATRIX), out, format: 'hcl', check: true, warn: () => {} }).then(
      () => undefined,
      (e: CheckFailed) => e.message,
    );
    expect(stale).toBe(
      `2 composed Dockerfiles are missing or stale: ${plan.targets
        .filter((t) => t.stage === 'dev' && t.arch === undefined)
        .map((t) => t.dockerfile)
        .join(', ')}`,
    );
  });
});
