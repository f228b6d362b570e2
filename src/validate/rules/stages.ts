import { didYouMean, error } from '../../diagnostics.js';
import { sortIntoLevels } from '../../graph/levels.js';
import { ARCH_AXIS } from '../../model/model.js';
import { BUILTIN_VARIABLES } from '../../model/variables.js';
import type { Rule } from '../rule.js';

const NAME = /^[A-Za-z0-9_-]+$/;

export const stagesAreWellFormed: Rule = ({ model, report }) => {
  const axisNames = model.axes.map((a) => a.name);
  const stageNames = model.stages.map((s) => s.name);
  const variables = [...Object.keys(BUILTIN_VARIABLES), ...Object.keys(model.variables)];
  for (const stage of model.stages) {
    const at = `stage.${stage.name}`;
    if (!NAME.test(stage.name)) report(error(at, `stage name "${stage.name}" may use only letters, digits, "_" and "-"`));
    const seen = new Set<string>();
    stage.axes.forEach((axis, i) => {
      if (axis === ARCH_AXIS) {
        report(error(`${at}.axes[${i}]`, 'arch is implicit in every stage (nodes are multi-arch, with per-arch twins)', `remove "${ARCH_AXIS}" from ${at}.axes`));
      } else if (!axisNames.includes(axis)) {
        report(error(`${at}.axes[${i}]`, `unknown axis "${axis}"${didYouMean(axis, axisNames)}`));
      }
      if (seen.has(axis)) report(error(`${at}.axes[${i}]`, `axis "${axis}" is listed twice`));
      seen.add(axis);
    });
    for (const link of stage.uses) {
      const path = `${at}.uses.${link.context}`;
      const used = model.stages.find((s) => s.name === link.stage);
      if (!used) {
        report(error(path, `unknown stage "${link.stage}"${didYouMean(link.stage, stageNames)}`));
        continue;
      }
      const wider = used.axes.filter((a) => !stage.axes.includes(a));
      if (wider.length > 0) {
        report(error(path, `stage "${used.name}" varies over ${wider.map((a) => `"${a}"`).join(', ')}, which stage "${stage.name}" does not, so there is no single node to link`, `add ${wider.join(', ')} to ${at}.axes, or link a stage with fewer axes`));
      }
    }
    stage.variables.forEach((v, i) => {
      if (!variables.includes(v)) {
        report(error(`${at}.variables[${i}]`, `unknown bake variable "${v}"${didYouMean(v, variables)}`, `declare it under [variables] with a default`));
      }
    });
    if (!stage.dockerfile && !stage.axes.some((a) => model.axes.find((x) => x.name === a)?.values.every((v) => v.dockerfile))) {
      report(error(`${at}.dockerfile`, 'no Dockerfile for this stage', `set ${at}.dockerfile, or a dockerfile on every value of one of its axes (axis.<name>.values.<value>.dockerfile)`));
    }
  }
  const order = sortIntoLevels(stageNames, (s) => model.stages.find((x) => x.name === s)!.uses.map((u) => u.stage));
  if ('cycle' in order) {
    report(error(`stage.${order.cycle[0]}.uses`, `dependency cycle: ${order.cycle.join(' -> ')}`, 'a stage cannot use itself, directly or through others'));
  }
};
