import { chmodSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from './cli-build.js';

/**
 * The CLI of this test run, copied into a folder of its own anyone may enter: for running it as
 * another user (nobody), who may not be able to enter the clone. The bundle needs nothing else:
 * its dependencies are inside it.
 */
export function bundledCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-bundle-'));
  chmodSync(dir, 0o755);
  // .cjs: the bin is CommonJS (dist/package.json says so beside it), and no package.json is up from there.
  const file = join(dir, 'cli.cjs');
  copyFileSync(cliPath(), file);
  chmodSync(file, 0o755);
  return file;
}
