import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../../support/cli-build.js';

// A command run without MATRIX reads the matrix the repository names, from wherever in it the
// user stands: `"matrixbake": { "matrix": ... }` in the nearest package.json, else matrixbake.toml.
// Nothing about Dynamo: a user's repository has no matrix/dynamo.toml.

const cli = cliRunner();

function userRepo(pkg: object | undefined, matrixAt: string): string {
  const root = mkdtempSync(join(tmpdir(), 'mb-default-'));
  if (pkg) writeFileSync(join(root, 'package.json'), JSON.stringify(pkg));
  mkdirSync(join(root, 'dockerfiles', 'deep'), { recursive: true });
  cpSync('test/fixtures/matrices/minimal.toml', join(root, matrixAt));
  writeFileSync(join(root, 'Dockerfile'), 'FROM busybox\n');
  return root;
}

describe('the matrix read when none is named', () => {
  it('is the package.json matrixbake.matrix, from a subdirectory too', () => {
    const root = userRepo({ name: 'app', matrixbake: { matrix: 'images.toml' } }, 'images.toml');
    for (const cwd of [root, join(root, 'dockerfiles', 'deep')]) {
      const r = cli(['list'], {}, cwd);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^TARGET /);
    }
  });

  it('is matrixbake.toml without one', () => {
    const root = userRepo(undefined, 'matrixbake.toml');
    expect(cli(['list'], {}, root).status).toBe(0);
    const elsewhere = cli(['list'], {}, join(root, 'dockerfiles'));
    expect(elsewhere.status).toBe(2);
    expect(elsewhere.stderr).toBe(
      'matrixbake.toml: no such matrix file (hint: pass the path of a matrix TOML file, or name it in package.json: "matrixbake": { "matrix": "matrix/images.toml" })\n',
    );
  });

  it('refuses a matrixbake.matrix that is not a path, in one line', () => {
    const root = userRepo({ name: 'app', matrixbake: { matrix: 3 } }, 'matrixbake.toml');
    const r = cli(['list'], {}, root);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `matrixbake: ${join(root, 'package.json')}: matrixbake.matrix: 3 is not a path (hint: "matrixbake": { "matrix": "matrix/images.toml" }) (see matrixbake help list)\n`,
    );
    // A matrix named on the command line needs nothing from package.json.
    expect(cli(['list', 'matrixbake.toml'], {}, root).status).toBe(0);
  });
});
