import type { LintAccept } from '../model/model.js';
import type { Finding } from './finding.js';

// `[[lint.accept]]`: findings a matrix accepts on purpose, each with its reason. An entry that
// matches nothing is itself a finding: the Dockerfile changed, and the reason no longer holds.

interface Accepted {
  finding: Finding;
  accept: LintAccept;
}

export interface Judged {
  open: Finding[];
  accepted: Accepted[];
  /** Entries that accept no finding. */
  unused: LintAccept[];
}

export function acceptFindings(findings: Finding[], accepts: LintAccept[]): Judged {
  const used = new Set<LintAccept>();
  const open: Finding[] = [];
  const accepted: Accepted[] = [];
  for (const f of findings) {
    const a = accepts.find(
      (x) => x.key === f.key && (x.file === undefined || x.file === f.file) && (x.contains === undefined || f.message.includes(x.contains)),
    );
    if (!a) open.push(f);
    else {
      used.add(a);
      accepted.push({ finding: f, accept: a });
    }
  }
  return { open, accepted, unused: accepts.filter((a) => !used.has(a)) };
}

/** An unused entry as a finding at its line of the matrix (the nth `[[lint.accept]]`). */
export function unusedFinding(a: LintAccept, matrixFile: string, matrixText: string): Finding {
  const headers = [...matrixText.matchAll(/^[ \t]*\[\[[ \t]*lint[ \t]*\.[ \t]*accept[ \t]*\]\]/gm)];
  const at = headers[a.index]?.index;
  const line = at === undefined ? 1 : matrixText.slice(0, at).split('\n').length;
  const what = [`key ${a.key}`, ...(a.file ? [`file ${a.file}`] : []), ...(a.contains ? [`"${a.contains}"`] : [])].join(', ');
  return {
    file: matrixFile,
    line,
    key: `lint.accept[${a.index}]`,
    message: `accepts no finding (${what}): what it was for is gone or reads differently now`,
    hint: 'remove the entry, or match the finding lint prints now',
  };
}

/**
 * Whether a build warning (`SecretsUsedInArgOrEnv: Do not use ... (ARG "X") (line 41)`) is one
 * the matrix accepted as `check.<Rule>`. The warning names no Dockerfile path, so an entry's
 * `file` cannot narrow it: the rule and `contains` decide.
 */
export function acceptsWarning(accepts: LintAccept[], warning: string): boolean {
  return accepts.some(
    (a) => a.key.startsWith('check.') && warning.startsWith(`${a.key.slice('check.'.length)}:`) && (a.contains === undefined || warning.includes(a.contains)),
  );
}
