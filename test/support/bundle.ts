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
  // .mjs: no package.json of type module up from there says the file is an ES module.
  const file = join(dir, 'cli.mjs');
  copyFileSync(cliPath(), file);
  chmodSync(file, 0o755);
  return file;
}
