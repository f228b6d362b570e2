import { basename } from 'node:path';
import type { Finding } from '../lint/finding.js';
import { BuildFailed } from '../errors.js';
import { explainBuildxError } from './buildx-errors.js';
import { runCapture, type Command } from './exec.js';

// What `docker buildx bake --call=check,format=json` prints (buildx v0.36.1): per target, its
// build options and BuildKit's check result. Wire types: only the fields read here.

interface WireRange {
  start?: { line?: number };
}

interface WireWarning {
  ruleName?: string;
  description?: string;
  url?: string;
  detail?: string;
  location?: { sourceIndex?: number; ranges?: WireRange[] };
}

interface WireCheck {
  warnings?: WireWarning[] | null;
  sources?: { filename?: string }[];
  error?: string;
  buildError?: { message?: string; location?: { sourceIndex?: number; ranges?: WireRange[] } };
}

export interface WireCheckOutput {
  target?: Record<string, { check?: WireCheck }>;
}

/** One finding per file, line, rule and detail, naming the targets it was found in. */
export function checkFindings(out: WireCheckOutput, dockerfileOf: (target: string) => string | undefined): Finding[] {
  const found = new Map<string, { finding: Finding; targets: string[] }>();
  const add = (target: string, f: Finding) => {
    const key = `${f.file}\0${f.line}\0${f.key}\0${f.message}`;
    const seen = found.get(key);
    if (seen) seen.targets.push(target);
    else found.set(key, { finding: f, targets: [target] });
  };
  for (const [target, { check }] of Object.entries(out.target ?? {})) {
    if (!check) continue;
    const fileOf = (index = 0) => {
      const written = check.sources?.[index]?.filename;
      const planned = dockerfileOf(target);
      return planned && (!written || basename(planned) === written) ? planned : (written ?? planned ?? 'Dockerfile');
    };
    for (const w of check.warnings ?? []) {
      add(target, {
        file: fileOf(w.location?.sourceIndex),
        line: w.location?.ranges?.[0]?.start?.line ?? 1,
        key: `check.${w.ruleName ?? 'unknown'}`,
        message: w.detail || w.description || (w.ruleName ?? 'a check failed'),
        ...(w.url ? { hint: w.url } : {}),
      });
    }
    const error = check.buildError?.message ?? check.error?.split('\n')[0];
    if (error)
      add(target, {
        file: fileOf(check.buildError?.location?.sourceIndex),
        line: check.buildError?.location?.ranges?.[0]?.start?.line ?? 1,
        key: 'check.error',
        message: `BuildKit could not check it: ${error}`,
      });
  }
  return [...found.values()].map(({ finding, targets }) => ({
    ...finding,
    message: `${finding.message} (${targets.length === 1 ? targets[0] : `${targets.length} targets: ${targets.sort().slice(0, 3).join(', ')}${targets.length > 3 ? ', ...' : ''}`})`,
  }));
}

/** `docker buildx bake -f FILE... --call=check,format=json TARGET...`, its JSON read; buildx's own failure as one line. */
export async function bakeCheck(buildx: Command, files: string[], names: string[], cwd: string): Promise<WireCheckOutput> {
  const r = await runCapture(
    { file: buildx.file, args: [...buildx.args, 'bake', ...files.flatMap((f) => ['-f', f]), '--call=check,format=json', ...names] },
    {},
    cwd,
  );
  try {
    return JSON.parse(r.stdout) as WireCheckOutput;
  } catch {
    const explained = explainBuildxError(r.stderr);
    if (explained) throw new BuildFailed(explained.message, explained.hint, r.exitCode || 1);
    throw new BuildFailed(
      `docker buildx bake --call=check exited with ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1) ?? 'no output'}`,
      undefined,
      r.exitCode || 1,
    );
  }
}
