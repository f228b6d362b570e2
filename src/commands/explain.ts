import { didYouMean, type Diagnostic } from '../diagnostics.js';
import { UsageError } from '../errors.js';
import { explainTarget } from '../explain/explain-target.js';
import { formatExplanation } from '../explain/format-explanation.js';
import { compileOrThrow } from './compile-or-throw.js';

export interface ExplainOptions {
  matrix: string;
  /** A node (`runtime-vllm-cuda12`) or a per-arch twin (`runtime-vllm-cuda12-amd64`). */
  target: string;
  json: boolean;
  warn: (d: Diagnostic) => void;
}

/** Where one target comes from and what the bake file gives it, as text or JSON. */
export async function explainCommand(o: ExplainOptions): Promise<string> {
  const compiled = await compileOrThrow(o.matrix, o.warn);
  const x = explainTarget(compiled, o.target);
  if (!x) {
    const { plan } = compiled;
    const group = plan.groups.find((g) => g.name === o.target);
    if (group) throw new UsageError(`"${o.target}" is a group of ${o.matrix}, not a target: explain one of its targets, e.g. ${group.targets[0]}`);
    throw new UsageError(
      `no target "${o.target}" in ${o.matrix}${didYouMean(
        o.target,
        plan.targets.map((t) => t.name),
      )}`,
    );
  }
  return o.json ? `${JSON.stringify(x, null, 2)}\n` : formatExplanation(x);
}
