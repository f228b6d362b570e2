import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * The CLI as one file with its dependencies, in a folder of its own anyone may enter: for running
 * it as another user (nobody), who may not be able to enter the clone or its node_modules.
 */
export function bundledCli(): string {
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-bundle-'));
  chmodSync(dir, 0o755);
  const outfile = join(dir, 'cli.mjs');
  buildSync({
    entryPoints: ['src/cli.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
    // Some dependencies are CommonJS: they get a require of their own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  chmodSync(outfile, 0o755);
  return outfile;
}
