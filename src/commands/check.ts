import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { CheckFailed } from '../errors.js';
import { acceptFindings, unusedFinding } from '../lint/accept.js';
import { formatFinding } from '../lint/finding.js';
import { targetImages } from '../lint/images.js';
import { repoRoot } from '../load/repo-root.js';
import { ARCH_PLATFORMS } from '../model/model.js';
import { bakeTargetsOf } from '../plan/closure.js';
import { buildxOrThrow } from '../run/buildx-or-throw.js';
import { bakeCheck, checkFindings } from '../run/check-result.js';
import { checkTargets } from '../run/check-request.js';
import { stubContexts, writeStubLayout } from '../run/stub-layout.js';
import { compileOrThrow } from './compile-or-throw.js';
import { writeBakeFile } from '../write/write-bake-file.js';
import { composedFiles, writeComposed } from '../write/write-composed.js';
import { sourceLine } from '../model/composed.js';

// BuildKit's own Dockerfile checks (`docker buildx bake --call=check`) on every target, linked ones
// included. BuildKit cannot check a target whose named context is another target ("unsupported
// context source target"), so each link reads an empty stub image instead (an OCI layout written
// here); with --offline, so does every registry image a FROM names, and the checks need no network.

export interface CheckOptions {
  matrix: string;
  targets: string[];
  offline: boolean;
  warn: (d: Diagnostic) => void;
}

export async function checkCommand(o: CheckOptions): Promise<string> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  const plan = compiled.plan;
  const requested = o.targets.length > 0 ? o.targets : ['all'];
  checkTargets(compiled, requested);
  const cwd = repoRoot(o.matrix);
  const names = bakeTargetsOf(plan, requested);
  const images = o.offline ? await targetImages(plan, cwd) : new Map<string, string[]>();
  const dir = mkdtempSync(join(tmpdir(), 'matrixbake-check-'));
  try {
    const stub = writeStubLayout(join(dir, 'stub'), plan.matrix.arch ? plan.matrix.arch.values.map((v) => ARCH_PLATFORMS[v.value]!) : ['linux/amd64']);
    const { target, links, stubbed } = stubContexts(plan, names, images, stub);
    const override = join(dir, 'stubs.json');
    writeFileSync(override, JSON.stringify({ target }));
    const buildx = await buildxOrThrow();
    const composed = new Map((await composedFiles(plan, cwd)).map((f) => [f.path, f.composed]));
    await writeComposed(plan, cwd);
    const { file } = await writeBakeFile(compiled, names);
    const out = await bakeCheck(buildx, [file, override], names, cwd);
    // A composed Dockerfile's line, as the line of the part it came from.
    const found = checkFindings(out, (n) => plan.targets.find((t) => t.name === n)?.dockerfile).map((f) => {
      const c = composed.get(f.file);
      return c ? { ...f, ...sourceLine(c, f.line) } : f;
    });
    // Entries for lint's findings are lint's to judge.
    const judged = acceptFindings(
      found,
      plan.matrix.lintAccept.filter((a) => a.key.startsWith('check.')),
    );
    // Checking some targets, an entry for the others' findings is not stale.
    const unused = o.targets.length > 0 ? [] : judged.unused;
    const findings = [...judged.open, ...unused.map((a) => unusedFinding(a, o.matrix, readFileSync(o.matrix, 'utf8')))];
    const checked = Object.keys(out.target ?? {}).length;
    const stood = `${links} link${links === 1 ? '' : 's'}${o.offline ? ` and ${stubbed.size} registry image${stubbed.size === 1 ? '' : 's'}` : ''} read as an empty stub image`;
    if (findings.length > 0)
      throw new CheckFailed(
        `${findings.length} finding${findings.length === 1 ? '' : 's'} from BuildKit's checks of ${checked} targets of ${o.matrix} (${stood})`,
        findings.map(formatFinding),
      );
    const n = judged.accepted.length;
    const accepted = judged.accepted.map((a) => `  accepted (lint.accept[${a.accept.index}]: ${a.accept.reason}): ${formatFinding(a.finding)}\n`);
    return `${o.matrix}: BuildKit's checks pass on ${checked} targets (${stood})${n > 0 ? `, ${n} finding${n === 1 ? '' : 's'} accepted on purpose:` : ''}\n${accepted.join('')}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
