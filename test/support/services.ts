import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// Tests that build for real need buildkitd (installed by scripts/install-toolchain.sh
// --buildkit) and the registry on localhost:5000 (scripts/services.sh up). Locally their absence
// skips those tests with a note; with CI=true it fails the run.

export function requireServices(): boolean {
  const missing: string[] = [];
  if (!existsSync(join(homedir(), '.local/share/matrixbake/bin/buildkitd'))) missing.push('buildkitd (bash scripts/install-toolchain.sh --buildkit)');
  try {
    execFileSync('curl', ['-fsS', 'http://localhost:5000/v2/'], { stdio: 'ignore', timeout: 5000 });
  } catch {
    missing.push('a registry on localhost:5000 (bash scripts/services.sh up)');
  }
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`CI=true needs ${missing.join(' and ')}`);
  console.warn(`skipping real builds: missing ${missing.join(' and ')}`);
  return false;
}
