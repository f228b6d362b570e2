import type { Diagnostic } from '../diagnostics.js';
import { CheckFailed } from '../errors.js';
import { readFileSync } from 'node:fs';
import { acceptFindings, unusedFinding } from '../lint/accept.js';
import { formatFinding } from '../lint/finding.js';
import { lintPlan } from '../lint/lint-plan.js';
import { compileOrThrow } from './compile-or-throw.js';
import { repoRoot } from '../load/repo-root.js';

export interface LintOptions {
  matrix: string;
  warn: (d: Diagnostic) => void;
}

/** Findings are a failed check (exit 1); a matrix that does not compile is bad input (exit 2). */
export async function lintCommand(o: LintOptions): Promise<string> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  // Entries for BuildKit's checks (`check.<Rule>`) are `matrixbake check`'s to judge.
  const judged = acceptFindings(
    await lintPlan(compiled.plan, repoRoot(o.matrix)),
    compiled.plan.matrix.lintAccept.filter((a) => !a.key.startsWith('check.')),
  );
  const findings = [...judged.open, ...judged.unused.map((a) => unusedFinding(a, o.matrix, readFileSync(o.matrix, 'utf8')))];
  const files = new Set(compiled.plan.targets.map((t) => t.dockerfile));
  if (findings.length > 0) {
    throw new CheckFailed(`${findings.length} finding${findings.length === 1 ? '' : 's'} in the Dockerfiles of ${o.matrix}`, findings.map(formatFinding));
  }
  const accepted = judged.accepted.map((a) => `  accepted (lint.accept[${a.accept.index}]: ${a.accept.reason}): ${formatFinding(a.finding)}\n`);
  const n = judged.accepted.length;
  return `${o.matrix}: ${files.size} Dockerfile${files.size === 1 ? ' agrees' : 's agree'} with ${compiled.plan.targets.filter((t) => t.arch === undefined).length} targets${n > 0 ? `, ${n} finding${n === 1 ? '' : 's'} accepted on purpose:` : ''}\n${accepted.join('')}`;
}
