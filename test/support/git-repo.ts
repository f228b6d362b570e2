import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoCopy } from './repo-copy.js';

/**
 * A throwaway git repository holding copies of some of this repo's files, with real commits:
 * for tests of what matrixbake reads from git (the commit sha in link tags, the version, the
 * branch, the commit time). repo-copy.ts fakes `.git` instead, which is enough for bake's context.
 */
export interface GitRepo {
  root: string;
  file(path: string): string;
  /** Rewrite a file; throws when the change changes nothing (the test would prove nothing). */
  edit(path: string, change: (text: string) => string): void;
  write(path: string, text: string): void;
  /** `git add -A && git commit`; returns the new commit's full sha. */
  commit(message: string): string;
  git(...args: string[]): string;
}

export function gitRepoCopy(paths: string[], opts: { branch?: string } = {}): GitRepo {
  // repoCopy's fake `.git` goes: this one is real.
  const copy = repoCopy(paths);
  const root = copy.root;
  rmSync(join(root, '.git'), { recursive: true });
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'matrixbake test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'matrixbake test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
  };
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
      cwd: root,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  git('init', '-q', '-b', opts.branch ?? 'main');
  return {
    ...copy,
    git,
    write(p, text) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    },
    commit(message) {
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}
