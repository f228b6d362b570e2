import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ciCommand, type CiOptions } from '../../../src/commands/ci.js';
import { compileLoaded } from '../../../src/compile.js';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { CI_EMITTERS } from '../../../src/emit/ci/ci-emitters.js';
import { selectCiJobs } from '../../../src/emit/ci/select-jobs.js';
import { parseToml } from '../../../src/load/toml.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk, writeTemp } from '../../support/compile.js';

// `matrixbake ci`: the fan-out a CI system runs, one job per per-arch target, read back the way
// GitHub Actions (JSON) and GitLab (YAML) read it.

type Job = Record<string, string | number | boolean>;
type Include = { include: Job[] };

const DYNAMO = 'matrix/dynamo.toml';
const run = (o: Partial<CiOptions> = {}) => ciCommand({ matrix: DYNAMO, format: 'github', levels: false, warn: () => {}, ...o });
const github = async (o: Partial<CiOptions> = {}) => JSON.parse(await run(o)) as Include;
const githubLevels = async (o: Partial<CiOptions> = {}) => JSON.parse(await run({ ...o, levels: true })) as Record<string, Include>;
const gitlab = async (o: Partial<CiOptions> = {}) =>
  parseYaml(await run({ ...o, format: 'gitlab' })) as Record<
    string,
    {
      parallel?: { matrix: Record<string, string>[] };
      needs?: string[];
      tags?: string[];
      stage?: string;
      script?: string[];
      artifacts?: unknown;
      when?: string;
    }
  >;

const { plan } = await compileOk(DYNAMO);
const twin = (name: string) => plan.targets.find((t) => t.name === name && t.arch !== undefined);
const runners = (parseToml(readFileSync(DYNAMO, 'utf8')) as { value: { ci: { runners: Record<string, string> } } }).value.ci.runners;
const count = <T>(xs: T[], key: (x: T) => string) =>
  xs.reduce<Record<string, number>>((acc, x) => {
    acc[key(x)] = (acc[key(x)] ?? 0) + 1;
    return acc;
  }, {});

describe('matrixbake ci on matrix/dynamo.toml', () => {
  it('fans out one job per published image and arch: 10 runtime jobs, none for TensorRT-LLM on CUDA 12', async () => {
    const { include } = await github();
    const runtime = include.filter((j) => j.stage === 'runtime');
    expect(runtime).toHaveLength(10);
    expect(count(runtime, (j) => String(j.framework))).toEqual({ vllm: 4, sglang: 4, trtllm: 2 });
    expect(include.filter((j) => String(j.target).includes('trtllm-cuda12'))).toEqual([]);
    // Exactly the twins of the published nodes, each once.
    const published = plan.targets.filter((t) => t.arch !== undefined && t.tagSuffix !== undefined).map((t) => t.name);
    expect(include.map((j) => j.target).sort()).toEqual([...published].sort());
    expect(include.every((j) => j.publish === true)).toBe(true);
  });

  it('each job names its per-arch target, node, platform, runner and axis values, in a fixed key order', async () => {
    const { include } = await github();
    for (const j of include) {
      const t = twin(String(j.target))!;
      expect(Object.keys(j)).toEqual(['target', 'node', 'stage', 'platform', 'arch', 'runner', 'level', 'publish', ...Object.keys(t.values)]);
      expect(j).toMatchObject({ node: t.node, stage: t.stage, arch: t.arch, ...t.values });
      expect(j.target).toBe(`${j.node}-${j.arch}`);
      expect(j.platform).toBe(`linux/${j.arch}`);
      expect(j.runner).toBe(runners[String(j.arch)]);
    }
    expect(new Set(include.map((j) => j.runner))).toEqual(new Set(['ubuntu-24.04', 'ubuntu-24.04-arm']));
  });

  it('every target is a per-arch target of the committed bake file', async () => {
    const hcl = readFileSync('bake/docker-bake.hcl', 'utf8');
    for (const j of (await githubLevels()).level0!.include.concat((await github()).include)) {
      expect(hcl).toContain(`target "${j.target}" {`);
    }
  });

  it.skipIf(!BUILDX)("buildx reads every target from the committed bake file with the job's one platform", async () => {
    const jobs = Object.values(await githubLevels()).flatMap((l) => l.include);
    const printed = bakePrint(
      'bake/docker-bake.hcl',
      jobs.map((j) => String(j.target)),
    );
    for (const j of jobs) expect(printed.target[String(j.target)]?.platforms, String(j.target)).toEqual([j.platform]);
  });

  it('--levels: every twin needed, once, each linking only jobs of earlier levels; base and wheel first', async () => {
    const levels = await githubLevels();
    const names = Object.keys(levels);
    expect(names).toEqual(names.map((_, i) => `level${i}`));
    const levelOf = new Map<string, number>();
    for (const [i, name] of names.entries()) {
      for (const j of levels[name]!.include) {
        expect(levelOf.has(String(j.target)), `${j.target} twice`).toBe(false);
        expect(j.level).toBe(i);
        levelOf.set(String(j.target), i);
      }
    }
    for (const [target, level] of levelOf) {
      for (const l of twin(target)!.links) {
        expect(levelOf.get(l.target), `${target} -> ${l.target}`).toBeLessThan(level);
      }
    }
    expect(levels.level0!.include.map((j) => j.stage).sort()).toEqual([...Array(4).fill('base'), ...Array(4).fill('wheel')]);
    // The union is the published twins and everything they link, transitively.
    const closure = new Set<string>();
    const visit = (n: string) => closure.has(n) || (closure.add(n), twin(n)!.links.forEach((l) => visit(l.target)));
    (await github()).include.forEach((j) => visit(String(j.target)));
    expect([...levelOf.keys()].sort()).toEqual([...closure].sort());
    // A job's level is the same with or without --levels.
    for (const j of (await github()).include) expect(j.level).toBe(levelOf.get(String(j.target)));
  });

  it('--group vllm keeps the vllm images; with --levels, also the base and wheel they use', async () => {
    const { include } = await github({ group: 'vllm' });
    expect(include.length).toBeGreaterThan(0);
    expect(include.every((j) => j.framework === 'vllm')).toBe(true);
    expect(count(include, (j) => String(j.stage))).toEqual({ runtime: 4, ci: 4, dev: 4, 'local-dev': 4 });
    const all = Object.values(await githubLevels({ group: 'vllm' })).flatMap((l) => l.include);
    expect(all.filter((j) => j.framework !== undefined).every((j) => j.framework === 'vllm')).toBe(true);
    expect(all.filter((j) => j.stage === 'base').map((j) => j.target)).toEqual([
      'base-cuda12-amd64',
      'base-cuda12-arm64',
      'base-cuda13-amd64',
      'base-cuda13-arm64',
    ]);
    // A per-arch group keeps that arch's twins.
    expect(new Set((await github({ group: 'arm64' })).include.map((j) => j.arch))).toEqual(new Set(['arm64']));
  });

  it('gitlab: a child pipeline that parses as YAML, with the same targets as the github matrix', async () => {
    const doc = await gitlab();
    expect(doc.bake!.tags).toEqual(['$RUNNER']);
    const entries = doc.bake!.parallel!.matrix;
    expect(entries.map((e) => e.TARGET)).toEqual((await github()).include.map((j) => j.target));
    for (const e of entries) {
      const t = twin(e.TARGET!)!;
      expect(e).toEqual({
        TARGET: t.name,
        PLATFORM: t.platforms[0],
        ARCH: t.arch,
        RUNNER: runners[t.arch!],
        FRAMEWORK: t.values.framework,
        CUDA: t.values.cuda,
      });
    }
    // The job runs the installed package, not this repository's Makefile or dist/.
    expect(doc.bake!.script).toEqual(['npx matrixbake bake matrix/dynamo.toml "$TARGET" --var BRANCH="$BRANCH" --var PUSH_CACHE="$PUSH_CACHE"']);
  });

  it('gitlab: jobs run matrixbake with the command [ci] command sets', async () => {
    const matrix = writeTemp(
      'm.toml',
      readFileSync('matrix/demo.toml', 'utf8').replace('[ci.runners]', '[ci]\ncommand = "  node dist/cli.js "\n\n[ci.runners]'),
    );
    const flat = parseYaml(await run({ matrix, format: 'gitlab' })) as Record<string, { script?: string[] }>;
    expect(flat.bake!.script).toEqual([
      expect.stringMatching(/^node dist\/cli\.js bake \S+\/m\.toml "\$TARGET" --var BRANCH="\$BRANCH" --var PUSH_CACHE="\$PUSH_CACHE"$/),
    ]);
    const levels = parseYaml(await run({ matrix, format: 'gitlab', levels: true })) as Record<string, { script?: string[] }>;
    const scripts = Object.values(levels).flatMap((job) => job.script ?? []);
    expect(scripts.length).toBeGreaterThan(1);
    for (const line of scripts) expect(line).toMatch(/^node dist\/cli\.js release /);
  });

  it('gitlab --levels: a stage and a job per level, each needing the one before', async () => {
    const doc = await gitlab({ levels: true });
    const levels = await githubLevels();
    expect(doc.stages).toEqual([...Object.keys(levels), 'merge']);
    Object.entries(levels).forEach(([name, { include }], i) => {
      const job = doc[`bake-${name}`]!;
      expect(job.stage).toBe(name);
      expect(job.needs).toEqual(i === 0 ? undefined : [`bake-level${i - 1}`]);
      expect(job.parallel!.matrix.map((e) => e.TARGET)).toEqual(include.map((j) => j.target));
      // Each job is one target of the release, built alone; its digest is the job's artifact.
      expect(job.script).toEqual([expect.stringMatching(/^npx matrixbake release matrix\/dynamo\.toml "\$TARGET" --phase build --only /)]);
      expect(job.artifacts).toEqual({ paths: ['digests/'], expire_in: '1 day' });
    });
    // The merge job gets every level's digests (no `needs`) and runs even after a failure.
    expect(doc.merge).toMatchObject({ stage: 'merge', when: 'always' });
    expect(doc.merge!.needs).toBeUndefined();
    expect(doc.merge!.script).toEqual([expect.stringMatching(/^npx matrixbake release matrix\/dynamo\.toml default --phase merge .*--digests digests$/)]);
  });

  it("refuses a fan-out over a CI system's limit per matrix, saying how to split it", () => {
    const jobs = selectCiJobs(plan, { levels: false });
    if (!jobs.ok) throw new Error('dynamo selects');
    const many = Array.from({ length: 201 }, (_, i) => ({ ...jobs.value[0]!, target: `t${i}` }));
    expect(CI_EMITTERS.gitlab.check({ source: DYNAMO, command: 'npx matrixbake', levels: false, jobs: many }).map(formatDiagnostic)).toEqual([
      "the fan-out has 201 jobs, and GitLab's parallel:matrix runs at most 200 (hint: split it with --levels or narrow it with --group G)",
    ]);
    expect(CI_EMITTERS.github.check({ source: DYNAMO, command: 'npx matrixbake', levels: false, jobs: many })).toEqual([]);
  });
});

describe('matrixbake ci on the command line', () => {
  const cli = cliRunner();
  const lines = (s: string) => s.trim().split('\n');

  it('prints one line of JSON for $GITHUB_OUTPUT', () => {
    const r = cli(['ci', 'matrix/demo.toml', '--format', 'github', '--levels']);
    expect(r.status).toBe(0);
    expect(r.stdout.endsWith('}\n')).toBe(true);
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it('an unknown group: exit 2, one line with a did-you-mean', () => {
    const r = cli(['ci', '--group', 'vlm']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual(['matrixbake: no group "vlm" in matrix/dynamo.toml (did you mean "vllm"?) (see matrixbake help ci)']);
  });

  it('a group with no published image: exit 2, saying why there is no job', () => {
    const r = cli(['ci', '--group', 'base', '--levels']);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^matrixbake: group "base" holds no published image, so CI has no job to run/)]);
  });

  it('a [ci.runners] key that is no arch: exit 2, one line with file, key path, value and hint', () => {
    const matrix = writeTemp('m.toml', readFileSync('matrix/demo.toml', 'utf8').replace('arm64 = "ubuntu-24.04-arm"', 'arm46 = "ubuntu-24.04-arm"'));
    for (const command of ['ci', 'compile']) {
      const r = cli([command, matrix]);
      expect(r.status).toBe(2);
      expect(lines(r.stderr)).toEqual([
        `${matrix}: ci.runners.arm46: "arm46" (runner "ubuntu-24.04-arm") is not a value of matrix.arch (did you mean "arm64"?) (hint: runner keys are the arch values: amd64, arm64)`,
      ]);
    }
  });

  it('an arch with no runner: exit 2, naming the arch and the key to add', () => {
    const matrix = writeTemp('m.toml', readFileSync('matrix/demo.toml', 'utf8').replace('arch = ["amd64", "arm64"]', 'arch = ["amd64", "arm64", "riscv64"]'));
    const r = cli(['ci', matrix]);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `${matrix}: ci.runners.riscv64: no CI runner for arch "riscv64" (hint: add riscv64 = "<runner label>" under [ci.runners])`,
    ]);
    // The bake file itself does not need runners.
    expect(cli(['compile', matrix]).status).toBe(0);
  });

  it('a matrix without an arch axis or without a published stage has nothing to fan out', () => {
    const r = cli(['ci', 'test/fixtures/matrices/minimal.toml']);
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(/minimal\.toml: matrix: the CI fan-out is one job per arch, and the matrix has no arch axis \(hint: /),
    ]);
    const unpublished = writeTemp('m.toml', readFileSync('matrix/demo.toml', 'utf8').replaceAll('publish = true', 'publish = false'));
    expect(lines(cli(['ci', unpublished]).stderr)).toEqual([
      `${unpublished}: stage: no stage is published, so CI has no image to build (hint: set publish = true on the stages whose images CI builds)`,
    ]);
  });

  it('an unknown format: exit 2', () => {
    const r = cli(['ci', '--format', 'circleci']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown ci --format "circleci" \(use github, gitlab\)/);
  });
});

describe('CI output escaping', () => {
  // Runner labels and axis values are the user's strings: they come back exact from JSON and YAML.
  const userString = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '"',
          "'",
          '\\',
          '\n',
          '\r',
          '\t',
          '#',
          ': ',
          '- ',
          '${{',
          '$RUNNER',
          '*a',
          '&a',
          '!tag',
          '\u0085',
          '\u2028',
          '\ufeff',
          '\u007f',
          'é',
          '🚀',
          '{',
          '[',
          '%',
        ),
        fc.string({ unit: 'binary', maxLength: 5 }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((a) => a.join('').replaceAll('\0', ''))
    .filter((s) => s.length > 0 && s === s.normalize('NFC'));

  it("round-trips every runner label and axis value through both formats, and the [ci] command into GitLab's scripts", () => {
    fc.assert(
      fc.property(
        userString,
        userString,
        userString.filter((s) => s.trim() !== ''),
        (runner, value, command) => {
          const raw = {
            project: { image: 'img' },
            matrix: { fw: [value], arch: ['amd64', 'arm64'] },
            axis: { fw: { values: { [value]: { label: 'x' } } } },
            stage: { app: { dockerfile: 'Dockerfile', axes: ['fw'], publish: true } },
            ci: { runners: { arm64: runner }, command },
          };
          const r = compileLoaded({ file: 'prop.toml', text: '', raw });
          if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
          const jobs = selectCiJobs(r.value.plan, { levels: true });
          if (!jobs.ok) throw new Error(jobs.errors.map(formatDiagnostic).join('\n'));
          const ci = { source: `dir/${value}.toml`, command: r.value.plan.matrix.ci.command, levels: true, jobs: jobs.value };
          const gh = JSON.parse(CI_EMITTERS.github.emit(ci)) as Record<string, Include>;
          expect(gh.level0!.include.map((j) => [j.runner, j.fw])).toEqual([
            ['ubuntu-24.04', value],
            [runner, value],
          ]);
          const gl = parseYaml(CI_EMITTERS.gitlab.emit(ci)) as Record<string, { parallel: { matrix: Record<string, string>[] }; script: string[] }>;
          expect(Object.keys(gl)).toEqual(['stages', 'variables', 'bake-level0', 'merge']);
          expect(gl['bake-level0']!.parallel.matrix.map((e) => [e.RUNNER, e.FW])).toEqual([
            ['ubuntu-24.04', value],
            [runner, value],
          ]);
          expect(gl['bake-level0']!.script).toEqual([expect.stringMatching(/ release /)]);
          expect(gl['bake-level0']!.script[0]!.startsWith(`${command.trim()} release `)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
