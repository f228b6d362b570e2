import { error } from '../../diagnostics.js';
import { keyPath, showString } from '../../show-value.js';
import { placeholders, TAG_FIELDS } from '../../plan/tags.js';
import type { Rule } from '../rule.js';

// Tag templates: each starts with `{registry}/`, so that bake (REGISTRY), release and promote put
// their registry there; each names only what the plan can fill in; and, filled with sample
// values, each is a reference a registry accepts.

/** A repository path, a colon, and a tag: lowercase path components, a tag of word characters. */
const REFERENCE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[\w][\w.-]{0,127}$/;

export const tagTemplatesAreSound: Rule = ({ model, report }) => {
  const published = model.stages.filter((s) => s.publish);
  const check = (path: (string | number)[], template: string, stages: typeof published) => {
    const at = keyPath(...path);
    if (!template.startsWith('{registry}/')) {
      report(
        error(
          at,
          `tag template ${showString(template)} does not start with {registry}/`,
          `write ${showString(`{registry}/${template.replace(/^[^/]*\.[^/]*\//, '')}`)}: bake, release and promote put their registry there (none: a local tag)`,
        ),
      );
      return;
    }
    for (const name of placeholders(template)) {
      const [axis, part] = name.split('.');
      if (TAG_FIELDS.includes(name)) continue;
      const lacking = stages.filter((s) => !s.axes.includes(axis!));
      if (part !== undefined && part !== 'value') report(error(at, `{${name}} is not a placeholder`, `write {${axis}} (the value's label) or {${axis}.value}`));
      else if (!model.axes.some((a) => a.name === axis))
        report(
          error(
            at,
            `{${name}} is not a placeholder of tag templates`,
            `they are ${[...TAG_FIELDS, ...model.axes.map((a) => a.name)].map((f) => `{${f}}`).join(', ')}`,
          ),
        );
      else if (lacking.length > 0)
        report(
          error(
            at,
            `{${name}} names axis ${axis}, which stage ${lacking[0]!.name} does not vary over`,
            `give stage ${lacking[0]!.name} tags of its own (stage.${lacking[0]!.name}.tags), or add ${axis} to its axes`,
          ),
        );
    }
    // Placeholders filled with plain samples: project.image has its own rule.
    const sample = template.replace('{registry}/', '').replace(/\{([^{}]*)\}/g, (_m, name: string) => (name === 'image' ? 'image' : 'v1'));
    if (!REFERENCE.test(sample))
      report(
        error(
          at,
          `tag template ${showString(template)} does not make an image reference (filled in: ${showString(sample)})`,
          'write <repository>:<tag>: lowercase repository path, then ":" and a tag of letters, digits, "_", "." and "-"',
        ),
      );
  };
  model.project.tags.forEach((t, i) =>
    check(
      ['project', 'tags', i],
      t,
      published.filter((s) => !s.tags),
    ),
  );
  for (const s of model.stages) s.tags?.forEach((t, i) => check(['stage', s.name, 'tags', i], t, [s]));
};
