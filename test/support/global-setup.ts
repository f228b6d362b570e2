import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// The CLI, compiled once per test run into a folder of the tests' own (not dist/, which `make`
// owns), before any test file starts: no test can rebuild it under another one's running build.
// Inside the repository, so that its imports resolve to node_modules.

declare module 'vitest' {
  export interface ProvidedContext {
    cliPath: string;
  }
}

export default function setup(project: TestProject): () => void {
  // A folder per run: two runs at once (a watch and a single file) must not rebuild each other's.
  const out = join(process.cwd(), 'test', '.tmp', `dist-cli-${process.pid}`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { stdio: 'inherit' });
  project.provide('cliPath', join(out, 'cli.js'));
  return () => rmSync(out, { recursive: true, force: true });
}
