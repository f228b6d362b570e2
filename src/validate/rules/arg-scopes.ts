import { closest, error, meant } from '../../diagnostics.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';

// `[arg.<NAME>] stages = [...]` keeps an arg to the stages that read it, whichever key sets it:
// Dynamo's base image pins and FRAMEWORK are set per axis value, and its dev stages never read them.

const ARG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export const argScopesNameRealThings: Rule = ({ model, report }) => {
  const stageNames = model.stages.map((s) => s.name);
  const setting = new Set([
    ...Object.keys(model.project.args),
    ...[...model.axes, ...(model.arch ? [model.arch] : [])].flatMap((a) => a.values.flatMap((v) => Object.keys(v.args))),
    ...model.when.flatMap((w) => Object.keys(w.args)),
    ...model.stages.flatMap((s) => Object.keys(s.args)),
  ]);
  for (const [name, stages] of Object.entries(model.argStages)) {
    const at = (...rest: (string | number)[]) => keyPath('arg', name, ...rest);
    if (!ARG.test(name)) {
      report(error(at(), `build arg name ${showString(name)} is not a name a Dockerfile ARG can declare`, 'use letters, digits and "_", e.g. CUDA_VERSION'));
      continue;
    }
    if (!setting.has(name))
      report(
        error(
          at(),
          `no key sets arg ${showString(name)}, so there is nothing to keep to some stages${meant(name, closest(name, [...setting]))}`,
          'remove this table, or set the arg in project.args, an axis value, a [[when]] or a stage',
        ),
      );
    stages.forEach((s, i) => {
      if (!stageNames.includes(s))
        report(error(at('stages', i), `unknown stage ${showString(s)}${meant(s, closest(s, stageNames))}`, `the stages: ${stageNames.join(', ')}`));
    });
    for (const stage of model.stages) {
      if (Object.hasOwn(stage.args, name) && !stages.includes(stage.name)) {
        report(
          error(
            keyPath('stage', stage.name, 'args', name),
            `stage ${stage.name} sets ${showString(name)}, but arg.${name}.stages keeps it to ${stages.join(', ')}`,
            `add "${stage.name}" to arg.${name}.stages, or remove the arg from stage.${stage.name}.args`,
          ),
        );
      }
    }
  }
};
