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
    const problem =
      url ??
      pathProblem(p) ??
      (what === 'dockerfile' && !isRemote(p) && /(^|\/)\.{0,2}\/?$/.test(p) ? 'names a directory; dockerfile is the path of a file' : undefined);
    if (!problem) return;
    const fixed =
      problem === url
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
  const dockerfile = (path: (string | number)[], one: { dockerfile?: string; dockerfileParts?: string[] }) => {
    if (!one.dockerfileParts) return check(keyPath(...path), one.dockerfile, 'dockerfile');
    one.dockerfileParts.forEach((p, i) => check(keyPath(...path, i), p, 'dockerfile'));
    // bake reads a remote context's Dockerfile from inside it, where the composed file is not.
    if (isRemote(model.project.context))
      report(
        error(
          keyPath(...path),
          `a composed Dockerfile is written into this repository, and bake reads the Dockerfile of a remote context (${showString(model.project.context)}) from inside it`,
          'give the stage one Dockerfile, or build from a local context',
        ),
      );
  };
  for (const s of model.stages) dockerfile(['stage', s.name, 'dockerfile'], s);
  for (const s of model.stages) s.append.forEach((p, i) => check(keyPath('stage', s.name, 'append', i), p, 'dockerfile'));
  if (isRemote(model.project.context) && model.stages.some((s) => s.append.length > 0))
    report(
      error(
        keyPath('stage', model.stages.find((s) => s.append.length > 0)!.name, 'append'),
        `a composed Dockerfile is written into this repository, and bake reads the Dockerfile of a remote context (${showString(model.project.context)}) from inside it`,
        'build from a local context, or drop append',
      ),
    );
  for (const a of model.axes) for (const v of a.values) dockerfile(['axis', a.name, 'values', v.value, 'dockerfile'], v);
  const composedDir = pathProblem(model.project.composedDir) ?? (isRemote(model.project.composedDir) ? 'is a URL' : undefined);
  if (composedDir)
    report(
      error(
        'project.composed_dir',
        `${showString(model.project.composedDir)} ${composedDir}`,
        'use a directory inside the repository, relative to its root, e.g. "bake/composed"',
      ),
    );
};
