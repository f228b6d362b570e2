import { closest, error, meant } from '../../diagnostics.js';
import { guessArch } from '../../model/arch-names.js';
import { ARCH_AXIS } from '../../model/model.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';

// [[when]] gives args to the cells that match some axis values. It reaches a stage's node only
// where that stage varies over every axis it names: base-cuda13 is one image for every framework,
// so an arg for framework=trtllm cannot be given to it.

export const whenNamesRealCells: Rule = ({ model, report }) => {
  const axisNames = model.axes.map((a) => a.name);
  const stageNames = model.stages.map((s) => s.name);
  for (const w of model.when) {
    const at = (...rest: (string | number)[]) => keyPath('when', w.index, ...rest);
    const named = Object.keys(w.match);
    if (Object.keys(w.args).length === 0)
      report(error(at('args'), 'a [[when]] with no args does nothing', 'add args = { NAME = "value" }, or delete the entry'));
    if (named.length === 0)
      report(
        error(
          at(),
          'this [[when]] names no axis, so it would apply to every target',
          'name the axis values it is for (framework = "trtllm"), or put the args in project.args',
        ),
      );
    for (const [name, values] of Object.entries(w.match)) {
      // The arch is every stage's axis: a [[when]] naming it gives args to those twins.
      const axis = name === ARCH_AXIS ? model.arch : model.axes.find((a) => a.name === name);
      if (!axis) {
        // Its own keys are args and stages; anything else is read as an axis.
        const guess = closest(name, [...axisNames, 'args', 'stages']);
        report(
          error(
            at(name),
            `unknown axis ${showString(name)}${meant(name, guess)}`,
            `a [[when]] names axes of [matrix] (${axisNames.join(', ') || 'none'}), args = { ... } and stages = [...]`,
          ),
        );
        continue;
      }
      const known = axis.values.map((x) => x.value);
      for (const v of values) {
        if (!known.includes(v))
          report(
            error(
              at(name),
              `${showString(v)} is not a value of matrix.${name}${meant(v, name === ARCH_AXIS ? guessArch(v, known) : closest(v, known))}`,
              `the values: ${known.map((k) => showString(k)).join(', ')}`,
            ),
          );
      }
    }
    (w.stages ?? []).forEach((s, i) => {
      const stage = model.stages.find((x) => x.name === s);
      if (!stage) report(error(at('stages', i), `unknown stage ${showString(s)}${meant(s, closest(s, stageNames))}`, `the stages: ${stageNames.join(', ')}`));
      else {
        const missing = named.filter((a) => a !== ARCH_AXIS && !stage.axes.includes(a));
        if (missing.length > 0)
          report(
            error(
              at('stages', i),
              `stage ${s} does not vary over ${missing.join(', ')}, so one of its images serves every ${missing.join(' and ')}, and no arg can be given to some of them`,
              `take ${s} out of stages, or drop ${missing.map((a) => `${a} = ...`).join(', ')}`,
            ),
          );
      }
    });
    const varies = (s: (typeof model.stages)[number], a: string) => s.axes.includes(a) || (a === ARCH_AXIS && model.arch !== undefined);
    const reach = model.stages.filter((s) => (w.stages === undefined || w.stages.includes(s.name)) && named.every((a) => varies(s, a)));
    // An unknown axis is reported above; the entry's reach follows from the rest.
    if (
      named.length > 0 &&
      named.every((a) => axisNames.includes(a) || (a === ARCH_AXIS && model.arch !== undefined)) &&
      w.stages === undefined &&
      reach.length === 0
    ) {
      report(
        error(
          at(),
          `no stage varies over ${named.join(' and ')}, so this [[when]] reaches no target`,
          `add ${named.map((a) => showString(a)).join(', ')} to the axes of the stages it is for`,
        ),
      );
    }
  }
};
