import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cliPath } from '../../support/cli-build.js';

// The bin carries V8's compiled code of its bundle (scripts/bundle-cli.mjs): most of a start went
// to compiling it. V8 takes that cache only under the version and flags that made it, and a cache
// it refuses costs nothing but the compile. Nothing outside says whether it was taken, so this
// asks V8 the way the bin does, in a `node` as a user starts it (no NODE_OPTIONS).

const { NODE_OPTIONS: _, ...plainEnv } = process.env;

/** Whether a `node` run with `flags` takes the bin's code cache, asked as the bin compiles. */
function cacheTaken(flags: string[]): boolean {
  const ask = `
    const lines = require('node:fs').readFileSync(process.argv[1], 'utf8').split('\\n');
    const literal = (name) => JSON.parse(lines.find((l) => l.startsWith('const ' + name + ' = ')).slice(name.length + 9, -1));
    const script = new (require('node:vm').Script)(literal('BUNDLE'), { cachedData: Buffer.from(literal('CODE_CACHE'), 'base64') });
    process.stdout.write(String(!script.cachedDataRejected));`;
  const r = spawnSync(process.execPath, [...flags, '-e', ask, cliPath()], { encoding: 'utf8', env: plainEnv });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout === 'true';
}

describe('the bin', () => {
  it("carries a code cache of its bundle that this Node's V8 takes", () => {
    expect(readFileSync(cliPath(), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
    expect(cacheTaken([])).toBe(true);
  });

  it('runs as well where V8 refuses the cache (other flags, as another Node version would)', () => {
    const flags = ['--no-lazy-feedback-allocation'];
    expect(cacheTaken(flags)).toBe(false);
    const plain = spawnSync(process.execPath, [cliPath(), 'compile', 'matrix/dynamo.toml'], { encoding: 'utf8', env: plainEnv });
    const refused = spawnSync(process.execPath, [...flags, cliPath(), 'compile', 'matrix/dynamo.toml'], { encoding: 'utf8', env: plainEnv });
    expect(refused.status, refused.stderr).toBe(0);
    expect(refused.stdout).toBe(plain.stdout);
    expect(refused.stdout).toContain('target "runtime-vllm-cuda12" {');
  });
});
