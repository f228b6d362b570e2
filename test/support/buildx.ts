import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Real buildx is the judge of what we emit. Locally a missing buildx skips those tests with a
// note; with CI=true it fails the run (never a silent skip).

function findBuildx(): string[] | undefined {
  const candidates = [['docker', 'buildx'], [join(homedir(), '.docker/cli-plugins/docker-buildx')]];
  for (const c of candidates) {
    if (c.length === 1 && !existsSync(c[0]!)) continue;
    try {
      execFileSync(c[0]!, [...c.slice(1), 'version'], { stdio: 'ignore' });
      return c;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

export const BUILDX = findBuildx();

if (!BUILDX && process.env.CI === 'true') {
  throw new Error('buildx is required with CI=true: run scripts/install-toolchain.sh');
}
if (!BUILDX) console.warn('buildx not found: tests that need it are skipped (run `make setup`)');

/** `docker buildx bake -f file --print names...` parsed. SOURCE_DATE_EPOCH is removed: buildx would add it to args. */
export function bakePrint(file: string, names: string[], env: Record<string, string> = {}): BakePrint {
  const { SOURCE_DATE_EPOCH: _drop, ...base } = process.env;
  const out = execFileSync(BUILDX![0]!, [...BUILDX!.slice(1), 'bake', '-f', file, '--print', ...names], {
    env: { ...base, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as BakePrint;
}

export interface BakePrint {
  group: Record<string, { targets: string[] }>;
  target: Record<string, Record<string, unknown>>;
}
