import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The bench's own git repository: a copy of what the bench matrix builds from, committed, so the
// figures about a new commit and a new branch come from real commits, and the user's repository
// (where `make bench` runs) is only read. matrixbake takes the commit and the branch from git
// (link image tags, BRANCH), and `context = "."` is this repository's root.

/** What a build of bench/bench.toml reads: the Dockerfiles, busybox, the context's ignore file. */
export const BENCH_FILES = ['dockerfiles/demo/Dockerfile', 'dockerfiles/demo/Dockerfile.framework', 'dockerfiles/demo/busybox/amd64/busybox', '.dockerignore'];

/** Where the matrix lives in the throwaway repository (the same place as in this one). */
export const MATRIX_PATH = 'bench/bench.toml';

export interface BenchRepo {
  root: string;
  /** The matrix file (absolute). */
  matrix: string;
  git(args: string[]): string;
  /** Writes a file (relative to the root) and commits it alone: a new commit on the branch checked out. */
  commit(path: string, text: string, message: string): string;
  /** The commit checked out (12 hex digits, as link image tags spell it). */
  head(): string;
  remove(): void;
}

/** Env of every process the bench starts: no git override or bake variable the user's shell may carry. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'BRANCH', 'PUSH_CACHE', 'CACHE_REGISTRY', 'GIT_SHA', 'VERSION', 'SOURCE_DATE_EPOCH'])
    delete env[k];
  return { ...env, ...extra };
}

/** A new repository on branch main holding the bench files and `matrixText` as bench/bench.toml: commit A. */
export function benchRepo(sourceRoot: string, matrixText: string): BenchRepo {
  const root = mkdtempSync(join(tmpdir(), 'mb-bench-repo-'));
  for (const p of BENCH_FILES) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    copyFileSync(join(sourceRoot, p), join(root, p));
  }
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, MATRIX_PATH), matrixText);
  const git = (args: string[]) =>
    execFileSync('git', ['-c', 'user.name=matrixbake bench', '-c', 'user.email=bench@matrixbake.invalid', '-c', 'commit.gpgsign=false', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git(['init', '-q', '-b', 'main']);
  git(['add', '--', ...BENCH_FILES, MATRIX_PATH]);
  git(['commit', '-q', '-m', 'A: the bench matrix and what it builds']);
  const head = () => git(['rev-parse', '--short=12', 'HEAD']).trim();
  return {
    root,
    matrix: join(root, MATRIX_PATH),
    git,
    head,
    commit(path, text, message) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
      git(['add', '--', path]);
      git(['commit', '-q', '-m', message]);
      return head();
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
