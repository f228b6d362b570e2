import { posix } from 'node:path';
import { error } from '../../diagnostics.js';
import type { Rule } from '../rule.js';

/** Remote contexts (git, https) are left to buildx. */
const REMOTE = /^[a-z][a-z0-9+.-]*:\/\/|^git@/i;

/** Why a repo-relative path is not acceptable, or undefined when it is. */
export function pathProblem(p: string): string | undefined {
  if (REMOTE.test(p)) return undefined;
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p)) return 'is absolute; paths are relative to the repo root';
  const norm = posix.normalize(p.replaceAll('\\', '/'));
  if (norm === '..' || norm.startsWith('../')) return 'escapes the repository';
  return undefined;
}

export const pathsStayInRepo: Rule = ({ model, report }) => {
  const check = (path: string, p: string | undefined) => {
    const problem = p === undefined ? undefined : pathProblem(p);
    if (problem) report(error(path, `"${p}" ${problem}`, 'use a path inside the repository, relative to its root'));
  };
  check('project.context', model.project.context);
  for (const s of model.stages) check(`stage.${s.name}.dockerfile`, s.dockerfile);
  for (const a of model.axes) for (const v of a.values) check(`axis.${a.name}.values.${v.value}.dockerfile`, v.dockerfile);
};
