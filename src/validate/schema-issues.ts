import { closest, error, meant, type Diagnostic } from '../diagnostics.js';
import { keySegment, showValue } from '../show-value.js';
import { KNOWN_KEYS } from './known-keys.js';
import { describe, expectedWords, lastName, typeHint } from './type-words.js';
import { dotPath, type Issue, isTable, type Path, rawAt, rootExpected, unwrapUnion, valueAt } from './issue-paths.js';
import { guessKey, missingKey, notAMatrix, ROOT_HINT, ROOT_TABLES, unknownKey } from './key-issues.js';

/** zod issues -> one diagnostic per mistake, naming the key path and the culprit value. */
export function schemaDiagnostics(issues: readonly Issue[], raw: unknown): Diagnostic[] {
  const flat = issues.flatMap((i) => unwrapUnion(i));
  const missingRoot = flat.filter((i) => i.path.length === 1 && i.code === 'invalid_type' && i.input === undefined).map((i) => String(i.path[0]));
  // pyproject.toml has a [project] too; without matrix or stages and without an image, it is no matrix.
  const project = valueAt(raw, ['project']);
  if (missingRoot.includes('matrix') && missingRoot.includes('stage') && !(project && 'image' in project)) return [notAMatrix(raw)];
  const { pairs, meant } = misspeltKeys(flat);
  const out: Diagnostic[] = [];
  const absent = missingRoot.filter((k) => k in ROOT_TABLES && !meant.has(k));
  if (absent.length > 0) out.push(error(undefined, `missing ${absent.map((k) => ROOT_TABLES[k]).join(' and ')}`, ROOT_HINT));
  let flatStage = false;
  for (const issue of flat) {
    const path = dotPath(issue.path);
    if (issue.path.length === 1 && missingRoot.includes(path)) continue;
    if (issue.code === 'invalid_type' && issue.input === undefined && meant.has(path)) continue;
    // `[stage]` then `dockerfile = ...`: every key reads as a stage; say it once.
    if (issue.path[0] === 'stage' && issue.path.length === 2 && KNOWN_KEYS['stage.*']!.includes(String(issue.path[1])) && issue.code === 'invalid_type') {
      if (!flatStage)
        out.push(
          error(
            path,
            `${JSON.stringify(issue.path[1])} sits directly under [stage], so it reads as a stage named ${JSON.stringify(issue.path[1])}`,
            'name the stage: [stage.base], then its keys under it',
          ),
        );
      flatStage = true;
      continue;
    }
    out.push(...explain(issue, raw, pairs));
  }
  return oncePerList(out);
}

// `cuda = [[12], [13]]` is one slip, not one per element: keep the first, count the others.
function oncePerList(ds: Diagnostic[]): Diagnostic[] {
  const firstOf = new Map<string, Diagnostic & { more: number }>();
  const out: (Diagnostic & { more: number })[] = [];
  for (const d of ds) {
    const list = d.path?.match(/^(.*)\[\d+\]$/)?.[1];
    const key = list === undefined ? undefined : `${list}\0${d.message.replace(/^.*?(expected|is a TOML float)/, '$1').replace(/got .*$/, '')}`;
    const first = key === undefined ? undefined : firstOf.get(key);
    if (first) first.more += 1;
    else {
      const entry = { ...d, more: 0 };
      if (key !== undefined) firstOf.set(key, entry);
      out.push(entry);
    }
  }
  return out.map(({ more, ...d }) => (more === 0 ? d : { ...d, message: `${d.message} (and ${more} more in this list)` }));
}

/**
 * Unknown keys and what each most likely meant: a known key close to it, a synonym, or, when
 * one unknown key sits beside one missing key in the same table, that key (`im` for `image`).
 * `meant` holds the paths the typos stand for, whose "missing" issues are not reported.
 */
function misspeltKeys(flat: Issue[]): { pairs: Map<string, string>; meant: Set<string> } {
  const missingIn = (at: Path) =>
    flat
      .filter((i) => i.code === 'invalid_type' && i.input === undefined && i.path.length === at.length + 1 && dotPath(i.path.slice(0, -1)) === dotPath(at))
      .map((i) => String(i.path.at(-1)));
  const pairs = new Map<string, string>();
  const meant = new Set<string>();
  for (const i of flat) {
    if (i.code !== 'unrecognized_keys') continue;
    const missing = missingIn(i.path);
    for (const key of i.keys) {
      const paired = i.keys.length === 1 && !guessKey(i.path, key) && missing.length === 1 ? missing[0] : undefined;
      if (paired) pairs.set(dotPath([...i.path, key]), paired);
      meant.add(dotPath([...i.path, paired ?? guessKey(i.path, key) ?? key]));
    }
  }
  return { pairs, meant };
}

function explain(issue: Issue, raw: unknown, pairs: Map<string, string>): Diagnostic[] {
  const path = dotPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(issue.path, key, pairs.get(dotPath([...issue.path, key]))));
    case 'invalid_type':
      if (issue.input === undefined) return [missingKey(issue.path, issue.expected, raw)];
      if (path === 'stage' && Array.isArray(issue.input))
        return [error(path, '[[stage]] makes a list of tables, but stages are named tables', 'write [stage.<name>] once per stage, e.g. [stage.base]')];
      if (path === 'matrix.exclude' && isTable(issue.input))
        return [
          error(path, '[matrix.exclude] is one table, but excludes are a list of tables', 'write [[matrix.exclude]] (double brackets), once per exclude'),
        ];
      if (path === 'matrix.exclude')
        return [
          error(
            path,
            `expected a list of tables, got ${describe(issue.input)}`,
            `write one [[matrix.exclude]] table per exclude: ${excludeExample(issue.input)}`,
          ),
        ];
      if ((issue.expected === 'object' || issue.expected === 'record') && Array.isArray(issue.input) && issue.input.length > 0 && issue.input.every(isTable)) {
        return [error(path, `[[${path}]] makes a list of tables, but [${path}] is one table`, `write [${path}] (single brackets)`)];
      }
      return [error(path, `expected ${expectedWords([issue.expected])}, got ${describe(issue.input)}`, typeHint(issue.path, issue.expected, issue.input))];
    case 'invalid_union': {
      const key = keySegment(lastName(issue.path));
      const inList = typeof issue.path.at(-1) === 'number';
      const hint =
        issue.path[1] === 'exclude' && !inList
          ? `name the values to drop: ${key} = "..." or ${key} = ["...", "..."]`
          : inList
            ? `write the values as strings: ${key} = ["...", "..."]`
            : `write ${key} = ${quotedGuess(issue.input)}`;
      return [error(path, `expected ${expectedWords(rootExpected(issue))}, got ${describe(issue.input)}`, hint)];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof issue.input === 'string' ? closest(issue.input, issue.values.map(String)) : undefined;
      return [
        error(
          path,
          `unknown value ${showValue(issue.input)}${typeof issue.input === 'string' ? meant(issue.input, guess) : ''}`,
          `use one of ${values.join(', ')}`,
        ),
      ];
    }
    case 'too_small': {
      const own = !issue.message.startsWith('Too small');
      // A reason of spaces is trimmed before it is checked: show what the user wrote.
      if (issue.origin === 'string')
        return [
          error(
            path,
            `${own ? issue.message : 'must not be empty'}, got ${showValue(rawAt(raw, issue.path) ?? issue.input)}`,
            path.startsWith('lint.')
              ? 'say why the finding is accepted: it is printed with it'
              : path.endsWith('reason')
                ? 'say why the combination is left out'
                : 'give it a value, or remove the key',
          ),
        ];
      return [
        error(
          path,
          `${own ? issue.message : 'needs at least one value'}, got ${showValue(issue.input)}`,
          `list at least one value, or remove ${String(issue.path.at(-1))}`,
        ),
      ];
    }
    case 'custom': {
      const hint = (issue.params as { hint?: string } | undefined)?.hint;
      return [error(path || undefined, issue.message, hint)];
    }
    default:
      return [error(path || undefined, issue.message)];
  }
}

/** The value the user most likely meant, quoted: a date as written, the one item of a list. */
function quotedGuess(input: unknown): string {
  const one = Array.isArray(input) && input.length === 1 ? input[0] : input;
  return one instanceof Date || typeof one === 'string' || typeof one === 'number' ? JSON.stringify(showValue(one).replace(/^"|"$/g, '')) : '"..."';
}

// `exclude = "framework=trtllm,cuda=12"`: the pairs, as the table that says it.
function excludeExample(input: unknown): string {
  const pairs = typeof input === 'string' ? [...input.matchAll(/([A-Za-z0-9_-]+)\s*=\s*([^,;\s]+)/g)].map(([, k, v]) => `${k} = ${JSON.stringify(v)}`) : [];
  return [...(pairs.length > 0 ? pairs : ['framework = "trtllm"', 'cuda = "12"']), 'reason = "..."'].join(', ');
}
