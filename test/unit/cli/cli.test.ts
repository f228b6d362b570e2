import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { cliPath, cliRunner } from '../../support/cli-build.js';
import { cliInProcess } from '../../support/cli-in-process.js';
import { repoCopy } from '../../support/repo-copy.js';

// The CLI as a user runs it: the built cli.js (test/support/global-setup.ts), exit codes,
// stdout/stderr, files on disk.

const cli = cliRunner();

describe('matrixbake CLI', () => {
  it('compile -o writes the bake file; --check then passes', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mb-')), 'bake', 'docker-bake.hcl');
    expect(cli(['compile', 'matrix/dynamo.toml', '-o', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync('bake/docker-bake.hcl', 'utf8'));
    const check = cli(['compile', 'matrix/dynamo.toml', '--check', '-o', out]);
    expect(check.status).toBe(0);
  });

  it('--check exits 1 on a stale file and says where it differs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mb-')), 'docker-bake.hcl');
    writeFileSync(out, readFileSync('bake/docker-bake.hcl', 'utf8').replace('v0.12.0', 'v0.11.0'));
    const r = cli(['compile', '--check', '-o', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is stale/);
    expect(r.stderr).toMatch(/^ {2}\+ .*v0\.12\.0/m);
  });

  it('bad input: exit 2, one line per problem, no stack trace, the existing output untouched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    const matrix = join(dir, 'm.toml');
    writeFileSync(matrix, readFileSync('matrix/dynamo.toml', 'utf8').replace('uses = { dynamo-base = "base" }', 'uses = { dynamo-base = "bsae" }'));
    const out = join(dir, 'docker-bake.hcl');
    writeFileSync(out, 'previous');
    const r = cli(['compile', matrix, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${matrix}: stage.backend.uses.dynamo-base: unknown stage "bsae" (did you mean "base"?) (hint: the stages: base, wheel, backend, runtime, ci, dev, local-dev)`,
    ]);
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(readdirSync(dir).sort()).toEqual(['docker-bake.hcl', 'm.toml']);
  });

  it('an output path that cannot be written: one clear line, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    writeFileSync(join(dir, 'afile'), 'x');
    const r = cli(['compile', '-o', join(dir, 'afile', 'docker-bake.hcl')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /^matrixbake: cannot write .*afile\/docker-bake\.hcl: a path component of .*afile is not a directory \(nothing was written\)$/,
    );
    expect(readdirSync(dir)).toEqual(['afile']);
  });

  it('-o naming a directory: says so, writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    const r = cli(['compile', '-o', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`matrixbake: cannot write ${dir}: it is a directory; -o takes the path of a file, e.g. bake/docker-bake.hcl (nothing was written)\n`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('-o naming the matrix itself is refused before anything is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    const matrix = join(dir, 'm.toml');
    writeFileSync(matrix, readFileSync('matrix/demo.toml'));
    const r = cli(['compile', matrix, '-o', join(dir, '.', 'm.toml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^matrixbake: -o \S+ is the matrix itself: compiling would overwrite it with the bake file/);
    expect(readFileSync(matrix, 'utf8')).toBe(readFileSync('matrix/demo.toml', 'utf8'));
  });

  it('a matrix path without .toml is still the matrix for compile, list, lint and ci', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    for (const command of ['compile', 'list', 'lint', 'ci']) {
      const r = cli([command, dir]);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${dir}: is a directory, not a matrix file (hint: pass the path of a matrix .toml file)\n`);
    }
  });

  it('usage errors exit 2 and point to --help', () => {
    expect(cli(['compile', '--format', 'yaml']).status).toBe(2);
    expect(cli(['frobnicate']).stderr).toMatch(/unknown command "frobnicate" \(see matrixbake --help\)/);
    expect(cli(['compile', '--check']).stderr).toMatch(/--check needs -o FILE/);
  });

  it('list shows targets with platforms and links', () => {
    const r = cli(['list']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^runtime-trtllm-cuda13 +runtime +framework=trtllm cuda=13 +linux\/amd64,linux\/arm64 +dynamo-base=base-cuda13 dynamo-wheels=wheel-cuda13 backend=backend-trtllm-cuda13$/m,
    );
    expect(r.stdout).not.toMatch(/-amd64 /);
    expect(cli(['list', '--twins']).stdout).toMatch(/^base-cuda12-arm64 /m);
  });

  it('bake --dry-run prints the exact buildx command with variables', () => {
    const r = cli(['bake', 'vllm-runtime', '--one-bake', '--var', 'VERSION=v0.7.0', '--set', '*.args.X=1', '--dry-run']);
    expect(r.status).toBe(0);
    const [head, command, ...more] = r.stdout.trimEnd().split('\n');
    const [, file, count] = /^# (\S+matrixbake-[0-9a-f]{16}\.hcl): (\d+) of the matrix's \d+ bake targets, what this request builds$/.exec(head!) ?? [];
    expect(command).toBe(`cd ${process.cwd()} && VERSION=v0.7.0 docker buildx bake -f ${file} --set '*.args.X=1' vllm-runtime`);
    expect(more).toEqual([]);
    // The file it names is the committed one cut to what vllm-runtime builds: each block as committed.
    const whole = readFileSync('bake/docker-bake.hcl', 'utf8');
    const blocks = readFileSync(file!, 'utf8')
      .split('\n\n')
      .filter((b) => /^(#.*\n)*(target|group|variable) /.test(b));
    expect(blocks.filter((b) => /^(#.*\n)*target /.test(b)).length).toBe(Number(count));
    for (const b of blocks) expect(whole).toContain(b.trimEnd());
  });

  it('--help shows an example; --version the version', () => {
    expect(cli(['--help']).stdout).toMatch(/Examples:\n {2}matrixbake compile/);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

// The help in this test's own process (test/support/cli-in-process.ts): the same text the
// binary prints, which the version test and the examples below run.
describe('help', () => {
  const commands = Object.keys(COMMANDS);
  const run = cliInProcess;
  const helpOf = async (command: string) => (await run(['help', command])).stdout;

  it("--version, -V and the help's first line print package.json's version", () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(cli(['--version']).stdout).toBe(`${version}\n`);
    expect(cli(['-V']).stdout).toBe(`${version}\n`);
    expect(cli(['--help']).stdout.split('\n')[0]).toBe(`matrixbake ${version}: compile a container build matrix (TOML) into a docker buildx bake file`);
  });

  it('the global help: a usage line per command form, one summary line per command, `help CMD` for more', async () => {
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect((await run([])).stdout).toBe(help.stdout);
    expect((await run(['help'])).stdout).toBe(help.stdout);
    const summaries = section(help.stdout, 'Commands').map((l) => /^ {2}(\S+) +\S/.exec(l)?.[1]);
    expect(summaries).toEqual(commands);
    for (const command of commands) expect(section(help.stdout, 'Usage').join('\n')).toMatch(new RegExp(`^ {2}matrixbake ${command}( |$)`, 'm'));
    expect(help.stdout).toMatch(/`matrixbake help CMD`/);
    expect(help.stdout.split('\n').filter((l) => l.length > 100)).toEqual([]);
  });

  it.each(commands)('%s --help: its usage, options and examples; the same as `help CMD` and -h', async (command) => {
    const r = await run([command, '--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith(`Usage: matrixbake ${command}`)).toBe(true);
    expect(r.stdout).toMatch(/^Examples?:$/m);
    expect(examples(r.stdout).length).toBeGreaterThanOrEqual(command === 'bake' || command === 'release' ? 3 : 1);
    expect(r.stdout).toContain(COMMANDS[command as keyof typeof COMMANDS].description[0]!.split(' ').slice(0, 4).join(' '));
    expect(await helpOf(command)).toBe(r.stdout);
    expect((await run([command, '-h'])).stdout).toBe(r.stdout);
    expect(r.stdout.split('\n').filter((l) => l.length > 100)).toEqual([]);
    // Every option a usage line names is explained under Options.
    const usage = r.stdout.slice(0, r.stdout.indexOf('\n\n'));
    const options = section(r.stdout, 'Options').join('\n');
    for (const flag of usage.match(/--[a-z-]+/g) ?? []) expect(options, flag).toMatch(new RegExp(`(^|, | )${flag}( |$)`, 'm'));
  });

  it('help of an unknown command: a usage error with a suggestion, on one line', async () => {
    const r = await run(['help', 'bkae']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('matrixbake: unknown command "bkae" (did you mean "bake"?) (see matrixbake --help)\n');
    expect((await run(['compiel', '--help'])).stderr).toBe('matrixbake: unknown command "compiel" (did you mean "compile"?) (see matrixbake --help)\n');
    expect((await run(['frobnicate'])).stderr).toBe('matrixbake: unknown command "frobnicate" (see matrixbake --help)\n');
  });

  it("a usage error inside a command points to that command's help", async () => {
    const r = await run(['compile', '--format', 'yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('matrixbake: unknown --format "yaml" (use hcl, json, resolved) (see matrixbake help compile)\n');
  });

  it('a flag the command does not read is refused, not ignored', async () => {
    for (const [args, message] of [
      [['list', 'matrix/demo.toml', '--group', 'vllm'], 'matrixbake: list does not take --group (it takes --twins, --json) (see matrixbake help list)\n'],
      [['schema', '--json'], 'matrixbake: schema does not take --json (see matrixbake help schema)\n'],
      [
        ['bake', '--check', '--dry-run'],
        'matrixbake: bake does not take --check (it takes --var, --set, --push, --dry-run, --json, --levels, --one-bake) (see matrixbake help bake)\n',
      ],
    ] as const) {
      const r = await run([...args]);
      expect([r.status, r.stderr, r.stdout]).toEqual([2, message, '']);
    }
  });

  it('help --markdown prints docs/cli.md, the reference `make cli-docs` writes', async () => {
    const r = await run(['help', '--markdown']);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(readFileSync('docs/cli.md', 'utf8'));
  });

  // The help is honest: every example in it runs. Where a command has --dry-run it runs dry;
  // the others run for real, in a throwaway copy of the repository (they write files). check's
  // examples need BuildKit: test/e2e/check.test.ts runs each of them.
  it('every example of every help runs: exit 0 (the merge job 1: no digests from earlier jobs), never a usage error', async () => {
    const lines = new Set([cli(['--help']).stdout, ...(await Promise.all(commands.map(helpOf)))].flatMap(examples));
    expect(lines.size).toBeGreaterThanOrEqual(25);
    const repo = gitRepoCopy();
    const failures: string[] = [];
    const runExample = async (line: string) => {
      const args = exampleArgs(line);
      if (args[0] === 'check') return;
      if (/^ {2}--dry-run /m.test(await helpOf(args[0]!)) && !args.includes('--dry-run')) {
        const dashdash = args.indexOf('--');
        args.splice(dashdash === -1 ? args.length : dashdash, 0, '--dry-run');
      }
      const r = await execa('node', [cliPath(), ...args], { cwd: repo, reject: false, stdin: 'ignore' });
      // 1 only where the example needs what an earlier job made: the merge job's digests.
      const ok = r.exitCode === 0 || (r.exitCode === 1 && args.includes('merge'));
      if (!ok) failures.push(`${line}\n  -> exit ${r.exitCode}: ${String(r.stderr).trim().split('\n').slice(0, 3).join(' | ')}`);
    };
    // Two at a time: each is a Node start.
    const todo = [...lines];
    await Promise.all(
      [0, 1].map(async () => {
        for (let line = todo.shift(); line !== undefined; line = todo.shift()) await runExample(line);
      }),
    );
    expect(failures).toEqual([]);
  }, 180_000);
});

/** The lines of a help's `Title:` section, up to the blank line that ends it. */
function section(help: string, title: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l === `${title}:` || l.startsWith(`${title}: `));
  if (start === -1) return [];
  const first = lines[start]!.startsWith(`${title}: `) ? [lines[start]!.slice(title.length + 2)] : [];
  const end = lines.indexOf('', start);
  return [...first, ...lines.slice(start + 1, end === -1 ? undefined : end)];
}

/** The example command lines of a help text. */
function examples(help: string): string[] {
  return [...section(help, 'Examples'), ...section(help, 'Example')].filter((l) => l.startsWith('  matrixbake ')).map((l) => l.trim());
}

/** An example's argv: words and 'quoted words', without `matrixbake` and a trailing `> FILE`. */
function exampleArgs(line: string): string[] {
  const words = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const redirect = words.indexOf('>');
  expect(redirect === -1 || redirect === words.length - 2, line).toBe(true);
  expect(words[0]).toBe('matrixbake');
  return words.slice(1, redirect === -1 ? undefined : redirect);
}

/** The files the examples read, in a git repository of their own (`version` and `release` read git). */
function gitRepoCopy(): string {
  const repo = repoCopy(['matrix', 'dockerfiles', 'bake', 'README.md', '.dockerignore', 'package.json']);
  rmSync(repo.file('.git'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo.root, stdio: 'ignore' });
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'examples');
  return repo.root;
}
