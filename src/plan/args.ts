import type { ArgMap, Matrix, Stage } from '../model/model.js';
import { axisValue } from '../model/lookup.js';
import type { PlannedArg } from './plan.js';

/** project args < axis-value args (in axis order, the stage's axes only) < stage args. */
export function mergeArgs(m: Matrix, stage: Stage, values: Record<string, string>): PlannedArg[] {
  const merged = new Map<string, PlannedArg>();
  const add = (args: ArgMap, from: string) => {
    for (const [name, value] of Object.entries(args)) merged.set(name, { name, value, from });
  };
  add(m.project.args, 'project.args');
  for (const axis of m.axes) {
    const value = values[axis.name];
    const v = value === undefined ? undefined : axisValue(m, axis.name, value);
    if (v) add(v.args, `axis.${axis.name}.values.${v.value}.args`);
  }
  add(stage.args, `stage.${stage.name}.args`);
  return [...merged.values()];
}
