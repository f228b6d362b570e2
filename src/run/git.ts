import type { GitFacts } from '../release/version.js';
import { runCapture } from './exec.js';

// What matrixbake asks git, in one place: the commit (for link tags, labels and versions), its
// time, the tags around it and the branch checked out. Outside git each answer is undefined.

export async function gitFacts(cwd: string): Promise<GitFacts | undefined> {
  const git = async (...args: string[]) => {
    const r = await runCapture({ file: 'git', args }, {}, cwd);
    return r.exitCode === 0 ? r.stdout.trim() : undefined;
  };
  const shortSha = await headSha(cwd, 9);
  if (!shortSha) return undefined;
  const exactTag = await git('describe', '--tags', '--exact-match');
  const lastTag = await git('describe', '--tags', '--abbrev=0');
  return { shortSha, ...(exactTag ? { exactTag } : {}), ...(lastTag ? { lastTag } : {}) };
}

/** The commit time (seconds): SOURCE_DATE_EPOCH for reproducible images. */
export async function commitEpoch(cwd: string): Promise<string | undefined> {
  const r = await runCapture({ file: 'git', args: ['log', '-1', '--format=%ct'] }, {}, cwd);
  return r.exitCode === 0 && /^\d+$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined;
}

/**
 * BRANCH, when neither --var nor the environment sets it: the branch checked out, so a build on
 * a feature branch writes its own cache refs and never main's (it reads main's as a fallback).
 */
export async function withBranch(vars: Record<string, string>, cwd: string): Promise<Record<string, string>> {
  if (vars.BRANCH !== undefined || process.env.BRANCH !== undefined) return vars;
  const branch = await currentBranch(cwd);
  // main is the bake file's own default: no need to say it.
  return branch && branch !== 'main' ? { ...vars, BRANCH: branch } : vars;
}

/** The branch checked out, or undefined on a detached HEAD (a CI checkout) or outside git. */
async function currentBranch(cwd: string): Promise<string | undefined> {
  const r = await runCapture({ file: 'git', args: ['symbolic-ref', '--short', '-q', 'HEAD'] }, {}, cwd);
  return r.exitCode === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
}

/**
 * `git rev-parse --short=N HEAD`, or undefined outside git. 12 characters name the commit in link
 * tags and labels; a version has 9, as Dynamo's build.sh writes it (v0.1.0.dev.08cc44965).
 */
export async function headSha(cwd: string, length: 9 | 12 = 12): Promise<string | undefined> {
  const r = await runCapture({ file: 'git', args: ['rev-parse', `--short=${length}`, 'HEAD'] }, {}, cwd);
  return r.exitCode === 0 && /^[0-9a-f]+$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined;
}
