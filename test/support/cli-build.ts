import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The CLI compiled into a private folder of this test file, so that no other test file's build
 * can rewrite it under a running build. Inside the repo, so node_modules resolves.
 */
export function privateCli(name: string): (args: string[], env?: Record<string, string>, cwd?: string) => { status: number; stdout: string; stderr: string } {
  const out = join('test', '.tmp', `dist-${name}`);
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out], { stdio: 'inherit' });
  const cli = join(process.cwd(), out, 'cli.js');
  return (args, env = {}, cwd) => {
    const r = spawnSync('node', [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, cwd, maxBuffer: 512 * 1024 * 1024 });
    return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
}

export interface Vertex {
  name: string;
  cached: boolean;
  completed: boolean;
  error?: string;
}

/** `--progress=rawjson` lines -> the vertices, merged by digest (updates repeat a vertex). */
export function rawjsonVertices(stderr: string): Vertex[] {
  const byDigest = new Map<string, Vertex>();
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const status = JSON.parse(line) as { vertexes?: { digest: string; name?: string; cached?: boolean; completed?: string; error?: string }[] };
    for (const v of status.vertexes ?? []) {
      const prev = byDigest.get(v.digest);
      byDigest.set(v.digest, {
        name: v.name ?? prev?.name ?? '',
        cached: !!v.cached || !!prev?.cached,
        completed: !!v.completed || !!prev?.completed,
        ...(v.error || prev?.error ? { error: v.error ?? prev?.error } : {}),
      });
    }
  }
  return [...byDigest.values()];
}

/** RUN steps that really executed (completed, not from cache). */
export const executedRuns = (vs: Vertex[]) => vs.filter((v) => / RUN /.test(v.name) && v.completed && !v.cached);
