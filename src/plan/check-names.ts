import { error, type Diagnostic } from '../diagnostics.js';
import type { Matrix } from '../model/model.js';
import { keyPath } from '../show-value.js';
import { BAKE_NAME, MAX_NAME_LENGTH } from './names.js';
import type { PlanTarget } from './plan.js';

// Labels and stage names are checked one by one by the rules; what is left is how they combine.
// One message per stage or name: a bad label repeats in every target and twin made from it.
export function checkNames(m: Matrix, targets: PlanTarget[], groups: { name: string; description: string }[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, PlanTarget>();
  const badStages = new Set<string>();
  const twice = new Set<string>();
  const nameProblem = (t: PlanTarget) =>
    !BAKE_NAME.test(t.name) ? `target name "${t.name}" is not a valid bake target name (letters, digits, "_" and "-" only)` : t.name.length > MAX_NAME_LENGTH ? `target name "${t.name.slice(0, 40)}…" is ${t.name.length} characters, over the ${MAX_NAME_LENGTH}-character limit` : undefined;
  for (const t of targets) {
    const problem = t.arch === undefined ? nameProblem(t) : undefined;
    if (problem && !badStages.has(t.stage)) {
      badStages.add(t.stage);
      out.push(error(keyPath('stage', t.stage), problem, problem.includes('limit') ? 'names go into image and cache tags (at most 128 characters): shorten the stage name or the axis labels' : 'check the axis labels ([axis.<name>] label) used in names'));
    }
    const other = seen.get(t.name);
    if (other && !twice.has(t.name)) {
      twice.add(t.name);
      out.push(error(keyPath('stage', t.stage), `two targets would be named "${t.name}" (stages "${other.stage}" and "${t.stage}")`, 'give the axis values distinct labels or rename a stage'));
    }
    seen.set(t.name, t);
  }
  if (out.length > 0) return out;
  const groupNames = new Set<string>();
  for (const g of groups) {
    const target = seen.get(g.name);
    if (target) {
      const builtin = g.name === 'all' || g.name === 'default';
      out.push(error(keyPath('stage', target.stage), `target "${g.name}" has the name of group "${g.name}" (${g.description}), and bake would build the group instead`, builtin ? 'rename the stage: matrixbake always makes the groups "all" and "default"' : 'rename the stage or the axis value label'));
    } else if (groupNames.has(g.name)) {
      out.push(error(groupSource(m, g.name), `two different groups would be named "${g.name}" (an axis value label equals a stage name or another value's label)`, 'rename the stage or set a distinct label for the value'));
    } else if (!BAKE_NAME.test(g.name)) {
      out.push(error(undefined, `group name "${g.name}" is not a valid bake name (letters, digits, "_" and "-" only)`, 'check the axis labels'));
    }
    groupNames.add(g.name);
  }
  return out;
}

/** The key that names a group: a stage of that name, else the axis value labelled so. */
function groupSource(m: Matrix, name: string): string | undefined {
  if (m.stages.some((s) => s.name === name)) return keyPath('stage', name);
  for (const a of [...m.axes, ...(m.arch ? [m.arch] : [])]) {
    const i = a.values.findIndex((v) => v.label === name);
    if (i !== -1) return keyPath('matrix', a.name, i);
  }
  return undefined;
}
