import type { MergeStep } from '../release/release-plan.js';
import { shellQuote } from '../shell-quote.js';
import { buildxCapture, buildxOrThrow, lastLine } from './buildx-or-throw.js';
import { createIndexArgs, digestOf } from './imagetools.js';

// A release's merge phase: one `imagetools create` per image, from the digests its twins pushed,
// into its tags. A node whose twins did not all push, or whose merge fails, is a failure named in
// one line; the others still merge.

export interface MergeRun {
  dryRun: boolean;
  vars: Record<string, string>;
  cwd: string;
  print: (line: string) => void;
}

/** Runs (or with dryRun prints) each merge; returns the failures. */
export async function mergeRelease(steps: MergeStep[], o: MergeRun): Promise<string[]> {
  const failures: string[] = [];
  const fail = (line: string) => {
    failures.push(line);
    o.print(`matrixbake: ${line}`);
  };
  for (const step of steps) {
    if ('missing' in step) {
      fail(`${step.node}: not merged: no image from ${step.missing.join(', ')} (that job failed or did not run)`);
      continue;
    }
    const args = createIndexArgs(step);
    if (o.dryRun) {
      o.print(shellQuote(['docker', 'buildx', ...args]));
      continue;
    }
    const r = await buildxCapture(args, o.vars, o.cwd);
    if (r.exitCode !== 0) fail(`${step.node}: imagetools create failed: ${lastLine(r.stderr)}`);
    else o.print(`${step.node}  ${step.tags.join(' ')}  ${await digestOf(await buildxOrThrow(), step.tags[0]!, o.cwd)}`);
  }
  return failures;
}
