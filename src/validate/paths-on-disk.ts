import { lstatSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { error, type Diagnostic } from '../diagnostics.js';
import type { Matrix } from '../model/model.js';
import { isRemote } from '../model/remote.js';
import { showString } from '../show-value.js';

// The rules check paths as written; a context that is a symlink inside the repo can still point
// out of it, and then bake sends BuildKit files from elsewhere on the machine. Only the context
// is checked here, and only when it exists: whether Dockerfiles exist and stay in the repo is
// `lint`'s job (it reads them), so the compiler still works on a matrix alone (a CI job that only
// needs the bake file or the fan-out).

export function checkPathsOnDisk(m: Matrix, repo: string): Diagnostic[] {
  const written = m.project.context;
  const full = resolve(repo, written);
  if (isRemote(written) || !exists(full)) return [];
  const root = real(repo) ?? resolve(repo);
  const target = real(full);
  if (target === undefined) return [];
  const at = (message: string, hint: string) => [{ ...error('project.context', message, hint), file: m.file }];
  const rel = relative(root, target);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    return at(
      `${showString(written)} resolves to ${target}, outside the repository ${root}`,
      'a symlink points out of the repo: bake would send BuildKit the files there; use a directory inside the repo',
    );
  }
  if (!statSync(target).isDirectory())
    return at(`${showString(written)} is a file; the build context is a directory`, 'use the directory that holds the sources, e.g. "."');
  return [];
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function real(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
