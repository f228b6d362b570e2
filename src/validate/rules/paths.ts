import { posix } from 'node:path';
import { error } from '../../diagnostics.js';
import { isRemote } from '../../model/remote.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';


/** Why a repo-relative path is not acceptable, or undefined when it is. */
export function pathProblem(p: string): string | undefined {
  if (p.trim() !== p) return 'has leading or trailing whitespace';
  // Remote contexts (git, https) are left to buildx.
  if (isRemote(p)) return undefined;
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\') || p.startsWith('~')) return 'is absolute; paths are relative to the repo root';
  const norm = posix.normalize(p.replaceAll('\\', '/'));
  if (norm === '..' || norm.startsWith('../')) return 'escapes the repository';
  // bake runs on Linux, where "a\b" is one odd file name, not a path.
  if (p.includes('\\')) return 'uses "\\" between directories; paths use "/"';
  return undefined;
}

export const pathsStayInRepo: Rule = ({ model, report }) => {
  const check = (path: string, p: string | undefined, what: 'context' | 'dockerfile') => {
    if (p === undefined) return;
    // bake reads dockerfile as a path in the context and mangles a URL (lstat https:).
    const url = what === 'dockerfile' && isRemote(p) ? 'is a URL; bake reads dockerfile as a path, and cannot fetch it' : undefined;
    const problem = url ?? pathProblem(p) ?? (what === 'dockerfile' && !isRemote(p) && /(^|\/)\.{0,2}\/?$/.test(p) ? 'names a directory; dockerfile is the path of a file' : undefined);
    if (!problem) return;
    const fixed = problem === url
      ? 'put the Dockerfile in the repository and name its path; for a Dockerfile in another repository, make it project.context (a git URL) and name its path in there'
      : problem.startsWith('uses')
      ? `write ${showString(p.replaceAll('\\', '/'))}`
      : problem.startsWith('has leading')
        ? `write ${showString(p.trim())}`
      : problem.startsWith('names a directory')
        ? `name the file, e.g. ${showString(`${p.replace(/\/+$/, '')}/Dockerfile`)}`
        : 'use a path inside the repository, relative to its root';
    report(error(path, `${showString(p)} ${problem}`, fixed));
  };
  check('project.context', model.project.context, 'context');
  for (const s of model.stages) check(keyPath('stage', s.name, 'dockerfile'), s.dockerfile, 'dockerfile');
  for (const a of model.axes) for (const v of a.values) check(keyPath('axis', a.name, 'values', v.value, 'dockerfile'), v.dockerfile, 'dockerfile');
};
