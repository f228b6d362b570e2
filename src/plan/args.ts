import { error, type Diagnostic } from '../diagnostics.js';
import type { ArgMap, Matrix, Stage, When } from '../model/model.js';
import { axisValue } from '../model/lookup.js';
import { keyPath, showString } from '../show-value.js';
import { isEmpty } from '../is-empty.js';
import type { PlannedArg, WithheldArg } from './plan.js';

// Where a target's build args come from, and which source wins. Declared orders only: project
// args lose to everything; an axis value's args lose to a [[when]] and to the stage's args; a
// [[when]] loses to one that names more axes (and all of its). Two sources that no order ranks
// and that give one arg two values are an error naming both: the order of [matrix] never decides.

interface Source {
  from: string;
  /** The key it is set at, for messages. */
  path: (string | number)[];
  value: string;
  kind: 'project' | 'axis' | 'when' | 'stage';
  /** A [[when]]'s axes. */
  axes?: string[];
}

function beats(a: Source, b: Source): boolean {
  if (b.kind === 'project') return a.kind !== 'project';
  if (b.kind === 'axis') return a.kind === 'when' || a.kind === 'stage';
  if (a.kind === 'when' && b.kind === 'when') return a.axes!.length > b.axes!.length && b.axes!.every((x) => a.axes!.includes(x));
  return false;
}

/** Whether a [[when]] reaches a stage's node with these values. */
function whenApplies(w: When, stage: Stage, values: Record<string, string>): boolean {
  if (w.stages && !w.stages.includes(stage.name)) return false;
  return Object.entries(w.match).every(([axis, vs]) => values[axis] !== undefined && vs.includes(values[axis]));
}

export interface MergedArgs {
  args: PlannedArg[];
  /** Args a key sets for this target that `[arg.<NAME>] stages` keeps from its stage. */
  withheld: WithheldArg[];
  /** Args two unranked sources set to different values, one error each; `key` is the same for every node they meet in. */
  conflicts: { key: string; diagnostic: Diagnostic }[];
}

/**
 * No key sets an arg that could reach this stage's nodes: no project args, no args on a value of
 * its axes or of the arch, no [[when]] that may reach it, no stage args. Most stages of a large
 * catalog are so, and their 10,000 nodes need no merging.
 */
export function setsNoArgs(m: Matrix, stage: Stage): boolean {
  const axes = m.arch ? [...m.axes.filter((a) => stage.axes.includes(a.name)), m.arch] : m.axes.filter((a) => stage.axes.includes(a.name));
  return (
    isEmpty(m.project.args) &&
    isEmpty(stage.args) &&
    axes.every((a) => a.values.every((v) => isEmpty(v.args))) &&
    m.when.every((w) => isEmpty(w.args) || (w.stages !== undefined && !w.stages.includes(stage.name)))
  );
}

export function mergeArgs(m: Matrix, stage: Stage, values: Record<string, string>): MergedArgs {
  const sources = new Map<string, Source[]>();
  const add = (args: ArgMap, from: string, path: Source['path'], kind: Source['kind'], axes?: string[]) => {
    for (const [name, value] of Object.entries(args)) {
      const list = sources.get(name) ?? sources.set(name, []).get(name)!;
      list.push({ from, path, value, kind, ...(axes ? { axes } : {}) });
    }
  };
  // Most keys set no args: their names are not spelled out for every node (10,000 of them).
  if (!isEmpty(m.project.args)) add(m.project.args, 'project.args', ['project', 'args'], 'project');
  // A per-arch twin's values name its arch too: `[axis.arch.values.arm64] args` reach it alone.
  for (const axis of m.arch ? [...m.axes, m.arch] : m.axes) {
    const value = values[axis.name];
    const v = value === undefined ? undefined : axisValue(m, axis.name, value);
    if (v && !isEmpty(v.args)) add(v.args, `axis.${axis.name}.values.${v.value}.args`, ['axis', axis.name, 'values', v.value, 'args'], 'axis');
  }
  for (const w of m.when) if (whenApplies(w, stage, values)) add(w.args, `when[${w.index}].args`, ['when', w.index, 'args'], 'when', Object.keys(w.match));
  if (!isEmpty(stage.args)) add(stage.args, `stage.${stage.name}.args`, ['stage', stage.name, 'args'], 'stage');

  const args: PlannedArg[] = [];
  const withheld: WithheldArg[] = [];
  const conflicts: MergedArgs['conflicts'] = [];
  for (const [name, list] of sources) {
    // Scoped to other stages: not passed here, whichever key sets it (the stages rule refuses a
    // stage's own args.<NAME> outside the scope).
    const only = m.argStages[name];
    if (only && !only.includes(stage.name)) {
      withheld.push({ name, from: list.map((x) => x.from), stages: only });
      continue;
    }
    const standing = list.filter((s) => !list.some((t) => t !== s && t.value !== s.value && beats(t, s)));
    const other = standing.find((s) => s.value !== standing[0]!.value);
    if (other) {
      const first = standing[0]!;
      const cell =
        Object.entries(values)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ') || 'every cell';
      conflicts.push({
        key: `${name}\0${first.from}\0${other.from}`,
        diagnostic: error(
          keyPath(...other.path, name),
          `arg ${showString(name)} of stage ${stage.name} (${cell}) is ${showString(first.value)} from ${first.from} and ${showString(other.value)} from ${other.from}, and neither is the more specific`,
          'set it in one place, or say which wins: a [[when]] naming both axes beats each axis value, and stage args beat axis values',
        ),
      });
      continue;
    }
    const winner = standing.at(-1)!;
    const lost = list.filter((s) => s !== winner && s.value !== winner.value).map((s) => ({ from: s.from, value: s.value }));
    args.push({ name, value: winner.value, from: winner.from, ...(lost.length > 0 ? { over: lost } : {}) });
  }
  return { args, withheld: withheld.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), conflicts };
}
