import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

// A registry of a test's own (Debian's docker-registry, as scripts/services.sh runs the shared
// one), for tests that stop it mid-build: the shared one on localhost:5000 serves every other test.

export interface ThrowawayRegistry {
  /** host:port, e.g. localhost:5123 */
  address: string;
  /** buildkitd.toml lines that let BuildKit reach it over plain HTTP. */
  buildkitConfig: string;
  stop(): Promise<void>;
  tags(repo: string): Promise<string[]>;
}

export async function startRegistry(): Promise<ThrowawayRegistry> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mbreg-'));
  const config = join(dir, 'registry.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = execa('docker-registry', ['serve', config], { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore', reject: false });
  const address = `localhost:${port}`;
  const deadline = Date.now() + 15_000;
  while (
    !(await fetch(`http://${address}/v2/`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${address}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  let stopped = false;
  return {
    address,
    buildkitConfig: `[registry."${address}"]\n  http = true\n`,
    async stop() {
      if (!stopped) child.kill('SIGKILL');
      stopped = true;
      await child;
      rmSync(dir, { recursive: true, force: true });
    },
    async tags(repo) {
      const r = await fetch(`http://${address}/v2/${repo}/tags/list`).catch(() => undefined);
      if (!r?.ok) return [];
      return ((await r.json()) as { tags?: string[] }).tags ?? [];
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
