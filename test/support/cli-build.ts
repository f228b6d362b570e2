import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The CLI compiled into a private folder of this test file, so that no other test file's build
 * can rewrite it under a running build. Inside the repo, so node_modules resolves.
 */
export function privateCli(name: string): (args: string[], env?: Record<string, string>, cwd?: string) => { status: number; stdout: string; stderr: string } {
  const cli = privateCliPath(name);
  return (args, env = {}, cwd) => {
    const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd, maxBuffer: 512 * 1024 * 1024 });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

/** privateCli's build, for a test that must watch the CLI while it runs: the path of its cli.js. */
export function privateCliPath(name: string): string {
  const out = join('test', '.tmp', `dist-${name}`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { stdio: 'inherit' });
  return join(process.cwd(), out, 'cli.js');
}

// The stream parser is the product's own (the bake summary reads build records with it).
export { rawjsonVertices, type Vertex } from '../../src/run/rawjson.js';
import type { Vertex } from '../../src/run/rawjson.js';

/** RUN steps that really executed (completed, not from cache). */
export const executedRuns = (vs: Vertex[]) => vs.filter((v) => / RUN /.test(v.name) && v.completed && !v.cached);
