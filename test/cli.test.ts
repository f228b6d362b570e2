import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// The CLI as a user runs it: the built dist/cli.js, exit codes, stdout/stderr, files on disk.

const cli = (args: string[]) => spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });

beforeAll(() => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
});

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
    expect(r.stderr.trim().split('\n')).toEqual([`${matrix}: stage.backend.uses.dynamo-base: unknown stage "bsae" (did you mean "base"?) (hint: the stages: base, wheel, backend, runtime, ci, dev, local-dev)`]);
    expect(readFileSync(out, 'utf8')).toBe('previous');
    expect(readdirSync(dir).sort()).toEqual(['docker-bake.hcl', 'm.toml']);
  });

  it('an output path that cannot be written: one clear line, exit 2, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    writeFileSync(join(dir, 'afile'), 'x');
    const r = cli(['compile', '-o', join(dir, 'afile', 'docker-bake.hcl')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toMatch(/^matrixbake: cannot write .*afile\/docker-bake\.hcl: a path component of .*afile is not a directory \(nothing was written\)$/);
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
    expect(r.stdout).toMatch(/^runtime-trtllm-cuda13 +runtime +framework=trtllm cuda=13 +linux\/amd64,linux\/arm64 +dynamo-base=base-cuda13 dynamo-wheels=wheel-cuda13 backend=backend-trtllm-cuda13$/m);
    expect(r.stdout).not.toMatch(/-amd64 /);
    expect(cli(['list', '--twins']).stdout).toMatch(/^base-cuda12-arm64 /m);
  });

  it('bake --dry-run prints the exact buildx command with variables', () => {
    const r = cli(['bake', 'vllm-runtime', '--var', 'VERSION=v0.7.0', '--set', '*.args.X=1', '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cd \S+ && VERSION=v0\.7\.0 docker buildx bake -f \S+matrixbake-[0-9a-f]{16}\.hcl --set '\*\.args\.X=1' vllm-runtime$/m);
    const file = /-f (\S+)/.exec(r.stdout)![1]!;
    expect(readFileSync(file, 'utf8')).toBe(readFileSync('bake/docker-bake.hcl', 'utf8'));
  });

  it('--help shows an example; --version the version', () => {
    expect(cli(['--help']).stdout).toMatch(/Examples:\n {2}matrixbake compile/);
    expect(cli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
