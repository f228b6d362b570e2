import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliPath } from '../../support/cli-build.js';

// The bin carries V8's compiled code of its bundle (scripts/bundle-cli.mjs): most of a start went
// to compiling it. V8 takes that cache only under the version and flags that made it, and a cache
// it refuses costs nothing but the compile. Nothing outside says whether it was taken, so this
// asks V8 the way the bin does, in a `node` as a user starts it (no NODE_OPTIONS).
// Another Node version cannot run here: a V8 flag stands in for it, which V8 refuses a cache
// made without just as it refuses another version's.

const { NODE_OPTIONS: _, ...plainEnv } = process.env;
const OTHER_V8 = ['--no-lazy-feedback-allocation'];

/** Whether a `node` run with `flags` takes a code cache of the bin's bundle: the bin's own, or the one in `file`. */
function cacheTaken(flags: string[], file?: string): boolean {
  const ask = `
    const lines = require('node:fs').readFileSync(process.argv[1], 'utf8').split('\\n');
    const literal = (name) => JSON.parse(lines.find((l) => l.startsWith('const ' + name + ' = ')).slice(name.length + 9, -1));
    const cachedData = process.argv[2] ? require('node:fs').readFileSync(process.argv[2]) : Buffer.from(literal('CODE_CACHE'), 'base64');
    const script = new (require('node:vm').Script)(literal('BUNDLE'), { filename: 'matrixbake-bundle.js', cachedData });
    process.stdout.write(String(!script.cachedDataRejected));`;
  const r = spawnSync(process.execPath, [...flags, '-e', ask, cliPath(), ...(file ? [file] : [])], { encoding: 'utf8', env: plainEnv });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout === 'true';
}

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

/** A user's cache folder of their own (XDG_CACHE_HOME), empty. */
function cacheHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'matrixbake-xdg-'));
  homes.push(h);
  return h;
}

/** `compile matrix/dynamo.toml` as a user runs the bin: `node [flags] cli.js`, with `env` over a plain environment. */
function compileDynamo(flags: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...flags, cliPath(), 'compile', 'matrix/dynamo.toml'], { encoding: 'utf8', env: { ...plainEnv, ...env } });
}

const ownCaches = (home: string) => (existsSync(join(home, 'matrixbake')) ? readdirSync(join(home, 'matrixbake')) : []);

describe('the bin', () => {
  it("carries a code cache of its bundle that this Node's V8 takes", () => {
    expect(readFileSync(cliPath(), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(cacheTaken([])).toBe(true);
  });

  it('runs as well where V8 refuses the cache (other flags, as another Node version would)', () => {
    expect(cacheTaken(OTHER_V8)).toBe(false);
    const plain = compileDynamo([], { MATRIXBAKE_NO_CODE_CACHE: '1' });
    const refused = compileDynamo(OTHER_V8, { MATRIXBAKE_NO_CODE_CACHE: '1' });
    expect(refused.status, refused.stderr).toBe(0);
    expect(refused.stdout).toBe(plain.stdout);
    expect(refused.stdout).toContain('target "runtime-vllm-cuda12" {');
  });

  it("where V8 refuses the built-in cache, the first run leaves one of the user's own, which the next runs take", () => {
    const home = cacheHome();
    const first = compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const [name, ...more] = ownCaches(home);
    expect(more).toEqual([]);
    // One file per bundle and V8: another version of matrixbake, or of Node, does not take it.
    expect(name).toMatch(new RegExp(`^code-0\\.\\d+\\.\\d+-[0-9a-f]{16}-v8-${process.versions.v8.replaceAll('.', '\\.')}-${process.arch}$`));
    const file = join(home, 'matrixbake', name!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(cacheTaken(OTHER_V8, file)).toBe(true);

    const made = statSync(file).mtimeMs;
    const second = compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home });
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(file).mtimeMs).toBe(made);
  });

  it('makes its own cache again when V8 refuses it, or when a first run of --help left it small', () => {
    const home = cacheHome();
    expect(compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home }).status).toBe(0);
    const file = join(home, 'matrixbake', ownCaches(home)[0]!);
    // Made under the other flags: back under the plain ones, V8 refuses it, and the run makes it again.
    expect(compileDynamo([], { XDG_CACHE_HOME: home }).status).toBe(0);
    expect(cacheTaken([], file)).toBe(true);

    const help = cacheHome();
    expect(spawnSync(process.execPath, [...OTHER_V8, cliPath(), '--help'], { env: { ...plainEnv, XDG_CACHE_HOME: help } }).status).toBe(0);
    const small = statSync(join(help, 'matrixbake', ownCaches(help)[0]!)).size;
    expect(compileDynamo(OTHER_V8, { XDG_CACHE_HOME: help }).status).toBe(0);
    expect(statSync(join(help, 'matrixbake', ownCaches(help)[0]!)).size).toBeGreaterThan(2 * small);
  });

  it('reads no cache that another user could have written, and makes its own in its place', () => {
    const home = cacheHome();
    expect(compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home }).status).toBe(0);
    const file = join(home, 'matrixbake', ownCaches(home)[0]!);
    // Writable by all: a cache planted there would run as this user. Its bytes say which one the run used.
    chmodSync(file, 0o666);
    const planted = readFileSync(file);
    planted[planted.length - 1]! ^= 0xff;
    writeFileSync(file, planted);
    const r = compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home });
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file).equals(planted)).toBe(false);
    expect(cacheTaken(OTHER_V8, file)).toBe(true);
  });

  it('writes no cache where V8 takes the built-in one, nor with MATRIXBAKE_NO_CODE_CACHE set', () => {
    const home = cacheHome();
    expect(compileDynamo([], { XDG_CACHE_HOME: home }).status).toBe(0);
    expect(compileDynamo(OTHER_V8, { XDG_CACHE_HOME: home, MATRIXBAKE_NO_CODE_CACHE: '1' }).status).toBe(0);
    expect(ownCaches(home)).toEqual([]);
  });

  it('runs as well, and says nothing of it, where its cache cannot be written', () => {
    const home = cacheHome();
    // XDG_CACHE_HOME a file: the cache's folder cannot be made under it.
    writeFileSync(join(home, 'file'), '');
    const r = compileDynamo(OTHER_V8, { XDG_CACHE_HOME: join(home, 'file') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('target "runtime-vllm-cuda12" {');
    expect(readdirSync(home)).toEqual(['file']);
  });
});
