import { spawnSync } from 'node:child_process';
import { inject } from 'vitest';

/** The CLI this test run compiled once (test/support/global-setup.ts): the path of its cli.js. */
export const cliPath = (): string => inject('cliPath');

/** Runs that CLI: its exit status and output; `cwd` defaults to the repository. */
export function cliRunner(): (args: string[], env?: Record<string, string>, cwd?: string) => { status: number; stdout: string; stderr: string } {
  const cli = cliPath();
  return (args, env = {}, cwd) => {
    const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd, maxBuffer: 512 * 1024 * 1024 });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

// The stream parser is the product's own (the bake summary reads build records with it).
export { rawjsonVertices, type Vertex } from '../../src/run/rawjson.js';
import type { Vertex } from '../../src/run/rawjson.js';

/** RUN steps that really executed (completed, not from cache). */
export const executedRuns = (vs: Vertex[]) => vs.filter((v) => / RUN /.test(v.name) && v.completed && !v.cached);
