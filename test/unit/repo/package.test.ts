import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from `npm install matrixbake`, judged where a user has it. The package is what
// `npm pack` makes of a clean checkout (the working tree's files that git would commit, no dist/:
// prepack bundles it). It is installed, with its dependencies from the npm registry, into a fresh
// git repository of the user's own: its own Dockerfile and matrix, nothing of this repository,
// and outside it, so that no import can resolve to this repository's node_modules (a runtime
// dependency listed as a devDependency would pass otherwise). No builder is needed: the bake is a
// dry run.

const REPO = process.cwd();
// Per process: two test runs at once must not pack into each other's folders.
const WORK = join(REPO, 'test', '.tmp', `package-${process.pid}`);
const STAGE = join(WORK, 'checkout');
const PACKS = join(WORK, 'packs');
// In os.tmpdir(), and 0755 like a repository a user clones: a 0700 mkdtemp folder is not.
const USER = join(tmpdir(), `matrixbake-user-repo-${process.pid}`);
// The bin copied out of the package: no node_modules above it.
const ALONE = join(tmpdir(), `matrixbake-bin-alone-${process.pid}`);

const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12
FROM python:\${PYTHON_VERSION}-slim AS base
RUN pip install --no-cache-dir flask==3.1.0

FROM base AS app
COPY app.py /srv/app.py
CMD ["python", "/srv/app.py"]
`;

// Its first axis is no "framework": that name is special nowhere.
const MATRIX = `[project]
image = "shop"
registry = "registry.example.com/acme"

[matrix]
python = ["3.12", "3.13"]
arch = ["amd64", "arm64"]

[axis.python]
label = "py{value}"

[axis.python.values."3.12"]
args = { PYTHON_VERSION = "3.12" }

[axis.python.values."3.13"]
args = { PYTHON_VERSION = "3.13" }

[stage.base]
dockerfile = "docker/Dockerfile"
axes = ["python"]

[stage.app]
dockerfile = "docker/Dockerfile"
axes = ["python"]
uses = { base = "base" }
publish = true
`;

const TARGETS = ['base-py3_12', 'base-py3_13', 'app-py3_12', 'app-py3_13'];

/**
 * A shell in the user's repository: without what `npx vitest` adds to the environment
 * (npm_config_local_prefix would point npm at this repository, its node_modules/.bin on PATH
 * would offer tools the user has not installed) or what vitest sets for its workers.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|INIT_CWD$|NODE_PATH$|NODE_ENV$|TEST$)/i.test(k)));
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(delimiter);
  return { ...env, ...extra };
}

function run(file: string, args: string[], cwd: string, extra: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(file, args, { cwd, env: userEnv(extra), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function ok(file: string, args: string[], cwd: string): string {
  const r = run(file, args, cwd);
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} in ${cwd} exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * How the user runs it. `--no`: never fetched from the registry on the fly, so a package whose
 * bin did not install fails here instead of running some other `matrixbake`.
 */
const matrixbake = (args: string[], extra: Record<string, string> = {}) => run('npx', ['--no', 'matrixbake', ...args], USER, extra);

/** The files git would commit (tracked and new, not ignored), copied as a fresh clone has them. */
function stageCheckout(): void {
  rmSync(STAGE, { recursive: true, force: true });
  const files = ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO)
    .split('\0')
    .filter((f) => f !== '' && existsSync(f) && statSync(f).isFile());
  for (const f of files) {
    mkdirSync(dirname(join(STAGE, f)), { recursive: true });
    cpSync(f, join(STAGE, f));
  }
  // prepack's tsc and its types; the package's dependencies come from the registry, not from here.
  symlinkSync(join(REPO, 'node_modules'), join(STAGE, 'node_modules'));
}

function writeUserRepo(): void {
  rmSync(USER, { recursive: true, force: true });
  mkdirSync(USER, { mode: 0o755 });
  chmodSync(USER, 0o755);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(USER, path)), { recursive: true });
    writeFileSync(join(USER, path), text);
  };
  write('package.json', `${JSON.stringify({ name: 'shop', version: '1.0.0', private: true }, null, 2)}\n`);
  write('docker/Dockerfile', DOCKERFILE);
  write('app.py', 'print("hello")\n');
  write('images/matrix.toml', MATRIX);
  write('.gitignore', 'node_modules/\n');
  const git = (...args: string[]) =>
    ok(
      'git',
      ['-c', 'user.name=A User', '-c', 'user.email=user@example.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args],
      USER,
    );
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'the shop images');
}

let tarball = '';
let packed: string[] = [];
const started = Date.now();

beforeAll(() => {
  stageCheckout();
  rmSync(PACKS, { recursive: true, force: true });
  mkdirSync(PACKS, { recursive: true });
  ok('npm', ['pack', '--pack-destination', PACKS], STAGE);
  const tgz = readdirSync(PACKS).filter((f) => f.endsWith('.tgz'));
  expect(tgz).toHaveLength(1);
  tarball = join(PACKS, tgz[0]!);
  packed = ok('tar', ['-tzf', tarball], PACKS).trim().split('\n');
  writeUserRepo();
  ok('npm', ['install', '--no-audit', '--no-fund', tarball], USER);
}, 600_000);

afterAll(() => {
  rmSync(USER, { recursive: true, force: true });
  rmSync(ALONE, { recursive: true, force: true });
  rmSync(WORK, { recursive: true, force: true });
  console.log(`package test: packed, installed and run in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('the npm package, installed in a fresh repository of its own', () => {
  it('holds what runs and nothing else: the bundled CLI, package.json, the README', () => {
    expect(packed).toContain('package/dist/cli.js');
    expect(packed).toContain('package/dist/package.json');
    expect(packed).toContain('package/package.json');
    expect(packed).toContain('package/README.md');
    expect(packed.filter((f) => !/^package\/(package\.json|README[^/]*|LICEN[CS]E[^/]*|dist\/cli\.js|dist\/package\.json)$/.test(f))).toEqual([]);
    // A user's repository has no Makefile, scripts or sources of this one.
    expect(existsSync(join(USER, 'node_modules', 'matrixbake', 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(join(USER, 'node_modules', 'matrixbake', 'scripts'))).toBe(false);
  });

  it('installs one dependency: Graphviz for `graph --format svg`; the bin carries the rest', () => {
    const installed = readdirSync(join(USER, 'node_modules')).filter((f) => !f.startsWith('.'));
    expect(installed.sort()).toEqual(['@viz-js', 'matrixbake']);
    const r = matrixbake(['graph', 'images/matrix.toml', '--format', 'svg']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^<svg [^]*<title>app&#45;py3_12<\/title>[^]*<\/svg>\n$/);
  });

  it('--version prints the version of the package installed, read from no file', () => {
    const { version } = JSON.parse(readFileSync(join(USER, 'node_modules', 'matrixbake', 'package.json'), 'utf8')) as { version: string };
    // The bin npx would start (`npx matrixbake --version` is npx's own version).
    expect(run(join(USER, 'node_modules', '.bin', 'matrixbake'), ['--version'], USER)).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
    // The bin alone, away from its package.json and from any node_modules: it still knows.
    mkdirSync(ALONE, { recursive: true });
    // .cjs: the bin is CommonJS (the package's dist/package.json says so), and no package.json is above it here.
    cpSync(join(USER, 'node_modules', 'matrixbake', 'dist', 'cli.js'), join(ALONE, 'cli.cjs'));
    expect(run('node', [join(ALONE, 'cli.cjs'), '--version'], USER)).toMatchObject({ status: 0, stdout: `${version}\n` });
    const compiled = run('node', [join(ALONE, 'cli.cjs'), 'compile', 'images/matrix.toml'], USER);
    expect(compiled.status, compiled.stderr).toBe(0);
    for (const t of TARGETS) expect(compiled.stdout).toContain(`target "${t}" {`);
  });

  it('compile writes the bake file, with every target', () => {
    const r = matrixbake(['compile', 'images/matrix.toml', '-o', 'docker-bake.hcl']);
    expect(r.status, r.stderr).toBe(0);
    const hcl = readFileSync(join(USER, 'docker-bake.hcl'), 'utf8');
    for (const t of TARGETS) expect(hcl).toContain(`target "${t}" {`);
    // The first axis leads the published tag.
    expect(hcl).toContain('latest-py3_12-app');
  });

  it('lint finds nothing: exit 0', () => {
    const r = matrixbake(['lint', 'images/matrix.toml']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^images\/matrix\.toml: 1 Dockerfile agrees with 4 targets\n$/);
  });

  it('list names the targets', () => {
    const r = matrixbake(['list', 'images/matrix.toml']);
    expect(r.status, r.stderr).toBe(0);
    const names = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(TARGETS);
  });

  it('bake --dry-run shows the buildx command, and needs no builder', () => {
    const r = matrixbake(['bake', 'images/matrix.toml', 'app-py3_12', '--dry-run'], {
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      BUILDX_BUILDER: 'no-such-builder',
    });
    expect(r.status, r.stderr).toBe(0);
    const m = /^# (\S+\.hcl): \d+ of the matrix's \d+ bake targets, what this request builds\ncd (\S+) && docker buildx bake -f \1 app-py3_12\n$/.exec(
      r.stdout,
    );
    expect(m, r.stdout).not.toBeNull();
    expect(m![2]).toBe(realpathSync(USER));
    expect(readFileSync(m![1]!, 'utf8')).toContain('target "app-py3_12" {');
  });

  it('says what to set up in words for a user of the package, not of this repository', () => {
    // No daemon and no builder named: buildx cannot start (or, on a machine without it, is missing).
    const r = matrixbake(['bake', 'images/matrix.toml', 'app-py3_12'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock', BUILDX_BUILDER: '' });
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(r.status).toBe(1);
    expect(last).toMatch(/^matrixbake: (no builder to run on|docker buildx is not installed)/);
    expect(last).toMatch(/docker buildx (create|version)/);
    expect(last).not.toMatch(/scripts\/|make |Makefile|this repository/);
  });
});
