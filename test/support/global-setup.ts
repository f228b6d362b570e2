import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// The CLI as the package ships it (scripts/bundle-cli.mjs: one file), built once per test run
// into a folder of the tests' own (not dist/, which `make` owns), before any test file starts: no
// test can rebuild it under another one's running build. Inside the repository, so that it finds
// the repository's package.json and scripts/ as a checkout's build does (src/run/setup-hints.ts).

declare module 'vitest' {
  export interface ProvidedContext {
    cliPath: string;
  }
}

export default function setup(project: TestProject): () => void {
  // A folder per run: two runs at once (a watch and a single file) must not rebuild each other's.
  const out = join(process.cwd(), 'test', '.tmp', `dist-cli-${process.pid}`);
  const cli = join(out, 'cli.js');
  execFileSync('node', ['scripts/bundle-cli.mjs', '--outfile', cli], { stdio: 'inherit' });
  project.provide('cliPath', cli);
  return () => rmSync(out, { recursive: true, force: true });
}
