import { didYouMean, error, meant, warning } from '../../diagnostics.js';
import { lookalikeNote, toAscii } from '../../lookalikes.js';
import { guessArch } from '../../model/arch-names.js';
import { ARCH_AXIS, ARCH_PLATFORMS, isArch } from '../../model/model.js';
import { keyPath, keySegment, showString } from '../../show-value.js';
import type { Axis } from '../../model/model.js';
import type { Rule, RuleContext } from '../rule.js';
import { misspeltAxes } from './misspelt-axes.js';

const NAME = /^[A-Za-z0-9_-]+$/;
/** Names bake and compose users give the platform axis, which here is `arch`. */
const PLATFORM_WORDS = ['platform', 'platforms', 'archs', 'arches', 'architecture', 'architectures'];

export const axesAreWellFormed: Rule = ({ file, model, report }) => {
  const all = [...model.axes, ...(model.arch ? [model.arch] : [])];
  const names = all.map((a) => a.name);
  const stageAxes = new Set(model.stages.flatMap((s) => s.axes));
  const misspelt = misspeltAxes({ file, model });
  const renamed = new Set([...misspelt.values()].map((m) => m.defined));
  for (const [used, { defined, refs }] of misspelt) {
    report(
      error(
        keyPath('matrix', defined),
        `axis ${showString(defined)} is spelt ${showString(used)} where it is used (${refs.join(', ')})`,
        `use one spelling: rename ${keyPath('matrix', defined)} to ${keySegment(used)}, or the uses to ${keySegment(defined)}`,
      ),
    );
  }
  for (const axis of all) {
    const path = keyPath('matrix', axis.name);
    // A name spelt otherwise where it is used is reported above, with the rename that fixes both.
    if (!NAME.test(axis.name) && !renamed.has(axis.name))
      report(
        error(
          path,
          `axis name ${showString(axis.name)} may use only letters, digits, "_" and "-"${noteOf(axis.name)}`,
          `rename it, e.g. ${safeName(toAscii(axis.name))}`,
        ),
      );
    if ((PLATFORM_WORDS.includes(axis.name.toLowerCase()) || axis.name.toLowerCase() === ARCH_AXIS) && !model.arch) {
      const arches = axis.values.map((v) => guessArch(v.value, Object.keys(ARCH_PLATFORMS)) ?? v.value);
      report(
        error(
          path,
          `an axis named ${showString(axis.name)} is an ordinary axis; the platform axis is "arch"`,
          `write arch = [${arches.map((a) => JSON.stringify(a)).join(', ')}]`,
        ),
      );
      continue;
    }
    const seen = new Set<string>();
    axis.values.forEach((v, i) => {
      const at = `${path}[${i}]`;
      if (v.value === '') report(error(at, 'empty value ""', 'remove it, or give the value a name'));
      // A stray space is a typo when the value names targets; with a label of its own, it is the user's call.
      else if (v.value.trim() !== v.value && !hasOwnLabel(file, axis.name, v.value))
        report(error(at, `value ${showString(v.value)} has leading or trailing whitespace`, `write ${showString(v.value.trim())}`));
      if (seen.has(v.value)) report(error(at, `duplicate value ${showString(v.value)}`, 'list each value once'));
      seen.add(v.value);
      if (axis.name === ARCH_AXIS && v.value !== '' && !isArch(v.value)) {
        const guess = guessArch(v.value, Object.keys(ARCH_PLATFORMS));
        if (guess && axis.values.some((x) => x.value === guess))
          report(error(at, `unknown arch ${showString(v.value)}: it means "${guess}", which is already listed`, `remove ${showString(v.value)}`));
        else
          report(
            error(
              at,
              `unknown arch ${showString(v.value)}${meant(v.value, guess)}`,
              `arch values are buildx platforms without "linux/": ${Object.keys(ARCH_PLATFORMS).join(', ')}`,
            ),
          );
      }
    });
    checkLabels(file, axis, report);
    if (axis.name !== ARCH_AXIS && !stageAxes.has(axis.name) && !renamed.has(axis.name) && model.stages.length > 0) {
      report(
        warning(
          path,
          `no stage varies over axis ${showString(axis.name)}, so its values only multiply the cells`,
          `add "${axis.name}" to the axes of the stages it changes, or remove it`,
        ),
      );
    }
  }
  for (const [name, spec] of Object.entries(file.axis)) {
    const axis = all.find((a) => a.name === name);
    if (!axis) {
      // A stage that lists this axis reports it (stages rule), with the same fix.
      if (!stageAxes.has(name) && !misspelt.has(name))
        report(
          error(
            keyPath('axis', name),
            `no axis ${showString(name)} in [matrix]${didYouMean(name, names)}`,
            `add ${name} = ["..."] under [matrix], or remove [axis.${name}]`,
          ),
        );
      continue;
    }
    // A node's twins build one Dockerfile: the arch picks a stage through TARGETARCH instead.
    const archFile = name === ARCH_AXIS ? Object.entries(spec.values).find(([, v]) => v.dockerfile) : undefined;
    if (archFile)
      report(
        error(
          keyPath('axis', name, 'values', archFile[0], 'dockerfile'),
          `an arch value cannot choose the Dockerfile: every arch of a target builds the same one`,
          'pick per-arch stages in the Dockerfile with TARGETARCH (FROM base-${TARGETARCH}), or give the arch args',
        ),
      );
    for (const value of Object.keys(spec.values)) {
      if (!axis.values.some((v) => v.value === value)) {
        report(
          error(
            keyPath('axis', name, 'values', value),
            `${showString(value)} is not a value of matrix.${name}${didYouMean(
              value,
              axis.values.map((v) => v.value),
            )}`,
            `the values are ${axis.values.map((v) => showString(v.value)).join(', ')}: add ${showString(value)} to matrix.${name}, or rename or remove this table`,
          ),
        );
      }
    }
  }
};

/** What users of other template languages write for {value}: `{valu}`, `{VALUE}`, `{}`, `${v}`, `%s`. */
const PLACEHOLDER = /\$?\{+[^{}]*\}+|\$[A-Za-z_]\w*|%[sd]/;

const noteOf = (name: string) => {
  const note = lookalikeNote(name);
  return note ? `: ${note}` : '';
};

const safeName = (name: string) => name.trim().replace(/[^A-Za-z0-9_-]+/g, '-') || 'a-name';

// A value's label is how it is written in target, group and tag names (`cuda{value}` -> cuda12):
// it must be a bake name, and two values of one axis must not share it.
function checkLabels(file: RuleContext['file'], axis: Axis, report: RuleContext['report']): void {
  const spec = Object.hasOwn(file.axis, axis.name) ? file.axis[axis.name] : undefined;
  const template = spec?.label ?? '{value}';
  const own = (value: string) => (spec && Object.hasOwn(spec.values, value) ? spec.values[value]?.label : undefined);
  const templated = axis.values.filter((v) => own(v.value) === undefined);
  if (templated.length > 1 && !template.includes('{value}')) {
    const placeholder = PLACEHOLDER.exec(template)?.[0];
    const fix =
      placeholder === undefined
        ? `write label = ${showString(`${template}{value}`)}`
        : `write label = ${showString(template.replace(placeholder, '{value}'))}: ${placeholder} is no placeholder, {value} is the one there is`;
    report(error(keyPath('axis', axis.name, 'label'), `label ${showString(template)} has no {value}, so every value of ${axis.name} gets the same name`, fix));
    return;
  }
  const byLabel = new Map<string, string>();
  const reported = new Set<string>();
  axis.values.forEach((v, i) => {
    const explicit = own(v.value);
    if (v.value === '' || (v.value.trim() !== v.value && explicit === undefined)) return;
    const source =
      explicit !== undefined
        ? keyPath('axis', axis.name, 'values', v.value, 'label')
        : template !== '{value}'
          ? keyPath('axis', axis.name, 'label')
          : keyPath('matrix', axis.name, i);
    if (!NAME.test(v.label)) {
      // `${value}` and `{{value}}` are other tools' spelling of {value}.
      const other = explicit === undefined ? /\$\{value\}|\{\{\s*value\s*\}\}/.exec(template)?.[0] : undefined;
      const hint = other
        ? `write label = ${showString(template.replace(other, '{value}'))}: the placeholder is {value}`
        : 'labels may use only letters, digits, "_" and "-"';
      const note = lookalikeNote(explicit ?? template);
      if (!reported.has(source))
        report(
          error(
            source,
            `label ${showString(explicit ?? template)} makes ${showString(v.label)} for value ${showString(v.value)}, which is not a valid bake target name${note ? `: ${note}` : ''}`,
            hint,
          ),
        );
      reported.add(source);
      return;
    }
    const other = byLabel.get(v.label);
    // A value listed twice is reported as a duplicate above.
    if (other !== undefined && other !== v.value)
      report(
        error(
          source,
          `values ${showString(other)} and ${showString(v.value)} would both be named ${showString(v.label)} in targets`,
          `give one a label of its own: [axis.${axis.name}.values.${keyPath(v.value)}] label = "..."`,
        ),
      );
    byLabel.set(v.label, v.value);
  });
}

const hasOwnLabel = (file: RuleContext['file'], axis: string, value: string): boolean =>
  Object.hasOwn(file.axis, axis) && Object.hasOwn(file.axis[axis]!.values, value) && file.axis[axis]!.values[value]!.label !== undefined;
