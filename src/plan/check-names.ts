import { error, type Diagnostic } from '../diagnostics.js';
import { keyPath } from '../show-value.js';
import { BAKE_NAME, MAX_NAME_LENGTH } from './names.js';
import type { PlanGroup, PlanTarget } from './plan.js';

// Labels and stage names are checked one by one by the rules; what is left is how they combine.
// One message per stage or name: a bad label repeats in every target and twin made from it.
export function checkNames(targets: PlanTarget[], groups: PlanGroup[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, PlanTarget>();
  const badStages = new Set<string>();
  // Stages whose names clash, reported once: their per-arch twins clash too.
  const clashing = new Set<string>();
  const nameProblem = (t: PlanTarget) =>
    !BAKE_NAME.test(t.name)
      ? `target name "${t.name}" is not a valid bake target name (letters, digits, "_" and "-" only)`
      : t.name.length > MAX_NAME_LENGTH
        ? `target name "${t.name.slice(0, 40)}…" is ${t.name.length} characters, over the ${MAX_NAME_LENGTH}-character limit`
        : undefined;
  for (const t of targets) {
    const problem = t.arch === undefined ? nameProblem(t) : undefined;
    if (problem && !badStages.has(t.stage)) {
      badStages.add(t.stage);
      out.push(
        error(
          keyPath('stage', t.stage),
          problem,
          problem.includes('limit')
            ? 'names go into image and cache tags (at most 128 characters): shorten the stage name or the axis labels'
            : 'check the axis labels ([axis.<name>] label) used in names',
        ),
      );
    }
    const other = seen.get(t.name);
    if (other && !clashing.has(`${other.stage}\0${t.stage}`)) {
      clashing.add(`${other.stage}\0${t.stage}`);
      out.push(
        error(
          keyPath('stage', t.stage),
          `two targets would be named "${t.name}" (stages "${other.stage}" and "${t.stage}")`,
          'give the axis values distinct labels or rename a stage',
        ),
      );
    }
    seen.set(t.name, t);
  }
  if (out.length > 0) return out;
  const byName = new Map<string, PlanGroup>();
  // Two axes with the same values clash once per value: one message per pair of keys that name them.
  const pairs = new Map<string, Diagnostic & { more: number }>();
  for (const g of groups) {
    const target = seen.get(g.name);
    const first = byName.get(g.name);
    if (target) {
      const builtin = g.name === 'all' || g.name === 'default';
      out.push(
        error(
          keyPath('stage', target.stage),
          `target "${g.name}" has the name of group "${g.name}" (${g.description}), and bake would build the group instead`,
          builtin ? 'rename the stage: matrixbake always makes the groups "all" and "default"' : 'rename the stage or the axis value label',
        ),
      );
    } else if (first && first.source === undefined) {
      const hint = g.source?.startsWith('stage')
        ? 'rename the stage'
        : 'rename the value, or give it a label of its own: [axis.<name>.values.<value>] label = "..."';
      out.push(
        error(
          g.source,
          `"${g.name}" would name a group of its own (${g.description}), but matrixbake always makes group "${g.name}" (${first.description})`,
          hint,
        ),
      );
    } else if (first) {
      const pair = `${owner(first.source)}\0${owner(g.source)}`;
      const seenPair = pairs.get(pair);
      if (seenPair) seenPair.more += 1;
      else
        pairs.set(pair, {
          ...error(
            g.source,
            `two different groups would be named "${g.name}": ${first.description} (${first.source}) and ${g.description}`,
            clashHint(first.source, g.source),
          ),
          more: 0,
        });
    } else if (!BAKE_NAME.test(g.name)) {
      out.push(error(g.source, `group name "${g.name}" is not a valid bake name (letters, digits, "_" and "-" only)`, 'check the axis labels'));
    }
    if (!first) byName.set(g.name, g);
  }
  for (const { more, ...d } of pairs.values()) out.push(more === 0 ? d : { ...d, message: `${d.message} (and ${more} more like it)` });
  return out;
}

function clashHint(a: string | undefined, b: string | undefined): string {
  const axis = [b, a].map((s) => /^matrix\.([A-Za-z0-9_-]+)\[\d+\]$/.exec(s ?? '')?.[1]);
  // Values of two axes named alike: a label template on one tells them apart.
  if (axis[0] !== undefined && axis[1] !== undefined)
    return `give one of the values a label of its own, or one axis a label template (e.g. [axis.${axis[0]}] label = "${axis[0]}{value}")`;
  return 'rename the stage or set a distinct label for the value';
}

/** The list or table a key is in: `matrix.cuda[1]` -> `matrix.cuda`. */
const owner = (source: string | undefined) => source?.replace(/\[\d+\]$/, '') ?? '';
