import { closest, error, meant } from '../../diagnostics.js';
import { guessArch } from '../../model/arch-names.js';
import { ARCH_AXIS, type Axis, type Exclude } from '../../model/model.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';
import { misspeltAxes } from './misspelt-axes.js';

export const excludesNameRealValues: Rule = (ctx) => {
  const { model } = ctx;
  const all = [...model.axes, ...(model.arch ? [model.arch] : [])];
  check(ctx, model.excludes, ['matrix', 'exclude'], all, misspeltAxes(ctx));
  // A stage's own exclude names its own axes and the arch: it drops that stage's targets only.
  for (const stage of model.stages) {
    const axes = all.filter((a) => stage.axes.includes(a.name) || a.name === ARCH_AXIS);
    const others = new Set(all.filter((a) => !axes.includes(a)).map((a) => a.name));
    for (const ex of stage.excludes) {
      for (const name of Object.keys(ex.match).filter((n) => others.has(n))) {
        ctx.report(
          error(
            keyPath('stage', stage.name, 'exclude', ex.index, name),
            `stage ${stage.name} does not vary over ${name}: one of its images serves every ${name}, so it cannot be left out for some`,
            `exclude the stages that vary over ${name}, or use [[matrix.exclude]] to drop the cells for every stage`,
          ),
        );
      }
    }
    check(
      ctx,
      stage.excludes.filter((ex) => !Object.keys(ex.match).some((n) => others.has(n))),
      ['stage', stage.name, 'exclude'],
      axes,
      new Set<string>(),
    );
  }
};

function check({ file, report }: Parameters<Rule>[0], excludes: Exclude[], prefix: string[], axes: Axis[], misspelt: { has(name: string): boolean }): void {
  const axisNames = axes.map((a) => a.name);
  for (const ex of excludes) {
    const at = (...rest: string[]) => keyPath(...prefix, ex.index, ...rest);
    if (Object.keys(ex.match).length === 0) {
      report(error(at(), 'exclude names no axis, so it would remove every cell', 'name at least one axis value, e.g. framework = "trtllm"'));
    }
    for (const [name, values] of Object.entries(ex.match)) {
      const axis = axes.find((a) => a.name === name);
      if (!axis && misspelt.has(name)) continue;
      if (!axis) {
        const guess = closest(name, axisNames);
        const why = Object.hasOwn(file.axis, name) ? `: [axis.${name}] describes it, but [matrix] gives it no values` : meant(name, guess);
        report(error(at(name), `unknown axis ${showString(name)}${why}`, `an exclude names axes of [matrix]: ${axisNames.join(', ') || 'none'}`));
        continue;
      }
      const known = axis.values.map((x) => x.value);
      for (const v of values) {
        // A value written with a stray space is reported by the axes rule; the exclude names it as meant.
        if (known.includes(v) || known.some((k) => k.trim() === v)) continue;
        const guess = name === ARCH_AXIS ? guessArch(v, known) : closest(v, known);
        const elsewhere = axes.find((a) => a.name !== name && a.values.some((x) => x.value === v));
        const hint = elsewhere
          ? `${showString(v)} is a value of matrix.${elsewhere.name}: write ${elsewhere.name} = ${showString(v)}`
          : `the values: ${known.map((k) => showString(k)).join(', ')}`;
        report(error(at(name), `${showString(v)} is not a value of matrix.${name}${meant(v, guess)}`, hint));
      }
    }
  }
}
