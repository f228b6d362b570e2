import type { Compiled } from '../compile.js';
import { someOf } from '../show-value.js';
import { platformFilter } from './bake-args.js';

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
  const perArch = (n: string) => plan.targets.find((t) => t.name === n)?.perArch !== undefined;
  const expand = (n: string): string[] => plan.groups.find((g) => g.name === n)?.targets.flatMap(expand) ?? [n];
  if (!targets.some((n) => expand(n).some(perArch))) return { targets };
  const out = [
    ...new Set(
      targets
        .flatMap((n) => (expand(n).some(perArch) ? expand(n) : [n]))
        .flatMap((n) => (perArch(n) ? plan.targets.filter((t) => t.node === n && t.arch !== undefined && archs!.includes(t.arch)).map((t) => t.name) : [n])),
    ),
  ];
  const replaced = targets.flatMap(expand).filter(perArch);
  return {
    targets: out,
    note: `matrixbake: ${someOf(replaced)} ${replaced.length > 1 ? 'are' : 'is'} built as per-arch twins (args differ per arch): --set ${platform} builds ${replaced.length > 1 ? 'their' : 'its'} ${archs!.join(', ')} twin${archs!.length > 1 || replaced.length > 1 ? 's' : ''}`,
  };
}
