import type { Compiled } from '../compile.js';
import { someOf } from '../show-value.js';
import { platformFilter } from './bake-args.js';
import { planIndex } from '../plan/plan-index.js';

/**
 * One bake builds a node whose args differ per arch as its twins (a group in the bake file). A
 * platform `--set` would reach every twin, and build the arm64 one, with its arm64 args, for
 * amd64. So such a node (asked for, or in a group asked for) becomes its twins of that platform;
 * the `--set` still narrows the other targets. The levels path picks twins the same way.
 */
export function perArchOfPlatform(compiled: Compiled, targets: string[], sets: string[]): { targets: string[]; note?: string } {
  const plan = compiled.plan;
  const platform = [...sets].reverse().find((x) => /^[^.=]+\.platforms?=/.test(x));
  if (!platform || !plan.targets.some((t) => t.perArch)) return { targets };
  const { archs } = platformFilter([platform], plan.matrix.arch?.values.map((v) => v.value) ?? []);
  const index = planIndex(plan);
  const perArch = (n: string) => index.target.get(n)?.perArch !== undefined;
  const expand = (n: string): string[] => index.group.get(n)?.targets.flatMap(expand) ?? [n];
  if (!targets.some((n) => expand(n).some(perArch))) return { targets };
  const out = [
    ...new Set(
      targets
        .flatMap((n) => (expand(n).some(perArch) ? expand(n) : [n]))
        .flatMap((n) => (perArch(n) ? (index.twins.get(n) ?? []).filter((t) => archs!.includes(t.arch!)).map((t) => t.name) : [n])),
    ),
  ];
  const replaced = targets.flatMap(expand).filter(perArch);
  return {
    targets: out,
    note: `matrixbake: ${someOf(replaced)} ${replaced.length > 1 ? 'are' : 'is'} built as per-arch twins (args differ per arch): --set ${platform} builds ${replaced.length > 1 ? 'their' : 'its'} ${archs!.join(', ')} twin${archs!.length > 1 || replaced.length > 1 ? 's' : ''}`,
  };
}
