import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A throwaway repo holding copies of some of this repo's files, to break on purpose.
 * `.git` marks its root, as for the real one (bake's context is resolved there).
 */
export function repoCopy(paths: string[]): { root: string; edit(path: string, change: (text: string) => string): void; file(path: string): string } {
  const root = mkdtempSync(join(tmpdir(), 'mb-repo-'));
  mkdirSync(join(root, '.git'));
  for (const p of paths) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    cpSync(p, join(root, p), { recursive: true });
  }
  return {
    root,
    file: (p) => join(root, p),
    edit(p, change) {
      const before = readFileSync(join(root, p), 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${p} changed nothing: the test no longer breaks what it means to`);
      writeFileSync(join(root, p), after);
    },
  };
}

/**
 * Like repoCopy, but a git repository with its files committed (commit A), for tests of what a
 * new commit or a new branch does: matrixbake reads the commit and the branch from git.
 */
export function gitRepo(paths: string[]): ReturnType<typeof repoCopy> & { git(args: string[]): string; commit(path: string, text: string): void } {
  const copy = repoCopy(paths);
  rmSync(join(copy.root, '.git'), { recursive: true });
  const git = (args: string[]) => execFileSync('git', ['-c', 'user.name=matrixbake test', '-c', 'user.email=test@matrixbake.invalid', ...args], { cwd: copy.root, encoding: 'utf8' });
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  git(['commit', '-q', '-m', 'A']);
  return {
    ...copy,
    git,
    commit(p, text) {
      writeFileSync(join(copy.root, p), text);
      git(['add', '-A']);
      git(['commit', '-q', '-m', `change ${p}`]);
    },
  };
}
