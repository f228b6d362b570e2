import { didYouMean, error } from '../../diagnostics.js';
import { ARCH_AXIS, ARCH_PLATFORMS } from '../../model/model.js';
import type { Rule } from '../rule.js';

const NAME = /^[A-Za-z0-9_-]+$/;

export const axesAreWellFormed: Rule = ({ file, model, report }) => {
  const all = [...model.axes, ...(model.arch ? [model.arch] : [])];
  const names = all.map((a) => a.name);
  for (const axis of all) {
    const path = `matrix.${axis.name}`;
    if (!NAME.test(axis.name)) report(error(path, `axis name "${axis.name}" may use only letters, digits, "_" and "-"`));
    const seen = new Set<string>();
    axis.values.forEach((v, i) => {
      if (seen.has(v.value)) report(error(`${path}[${i}]`, `duplicate value "${v.value}"`));
      seen.add(v.value);
      if (axis.name === ARCH_AXIS && !(v.value in ARCH_PLATFORMS)) {
        report(error(`${path}[${i}]`, `unknown arch "${v.value}"${didYouMean(v.value, Object.keys(ARCH_PLATFORMS))}`, `use one of ${Object.keys(ARCH_PLATFORMS).join(', ')}`));
      }
    });
  }
  for (const [name, spec] of Object.entries(file.axis)) {
    const axis = all.find((a) => a.name === name);
    if (!axis) {
      report(error(`axis.${name}`, `no axis "${name}" in [matrix]${didYouMean(name, names)}`));
      continue;
    }
    if (name === ARCH_AXIS && Object.values(spec.values).some((v) => v.args)) {
      report(error(`axis.${name}`, 'arch values cannot carry args: arch becomes `platforms`', 'use TARGETARCH in the Dockerfile'));
    }
    for (const value of Object.keys(spec.values)) {
      if (!axis.values.some((v) => v.value === value)) {
        report(error(`axis.${name}.values.${value}`, `"${value}" is not a value of matrix.${name}${didYouMean(value, axis.values.map((v) => v.value))}`));
      }
    }
  }
};
