import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// actionlint (scripts/install-toolchain.sh --actionlint, pinned in scripts/versions.env) judges
// the GitHub workflows. Locally its absence skips those tests with a note; with CI=true it fails
// the run, as for buildx and the build services.

const PINNED = /^ACTIONLINT_VERSION=(\S+)$/m.exec(readFileSync('scripts/versions.env', 'utf8'))?.[1];

function findActionlint(): string | undefined {
  const bin = process.env.MATRIXBAKE_TOOL_BIN ?? join(homedir(), '.local/share/matrixbake/bin');
  for (const candidate of [join(bin, 'actionlint'), 'actionlint']) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    try {
      execFileSync(candidate, ['-version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

/** The actionlint binary, or undefined (after a note) when it is missing outside CI. */
export function requireActionlint(): string | undefined {
  const found = findActionlint();
  if (found) return found;
  const how = `bash scripts/install-toolchain.sh --actionlint (installs ${PINNED ?? 'the pinned version'})`;
  if (process.env.CI === 'true') throw new Error(`CI=true needs actionlint: ${how}`);
  console.warn(`skipping workflow lint: actionlint not found (${how})`);
  return undefined;
}

export interface LintRun {
  status: number;
  /** One line per finding: `file:line:col: message [rule]`. */
  output: string;
}

/** actionlint on the given workflow files; status 0 clean, 1 findings. */
export function actionlint(bin: string, files: string[], extra: string[] = []): LintRun {
  try {
    const output = execFileSync(bin, ['-no-color', '-oneline', ...extra, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: 0, output };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { status: err.status ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

export function installedVersion(bin: string): string {
  return execFileSync(bin, ['-version'], { encoding: 'utf8' }).split('\n')[0]!.trim();
}

export { PINNED as ACTIONLINT_PINNED };
