import { closest, error, meant, type Diagnostic } from '../diagnostics.js';
import { showString } from '../show-value.js';
import { dotPath, isTable, type Path, valueAt } from './issue-paths.js';
import { KNOWN_KEYS, pathPattern, SYNONYMS } from './known-keys.js';
import { isCredentialName } from './rules/credentials.js';
import { expectedWords } from './type-words.js';

// The messages for a key that should not be there, one that is missing, and a file that is no
// matrix at all.

export const ROOT_TABLES: Record<string, string> = { project: '[project]', matrix: '[matrix]', stage: '[stage.<name>]' };

export const ROOT_HINT =
  'a matrix needs [project] (image = "..."), [matrix] (the axes) and at least one [stage.<name>]; see the smallest matrix in the README of matrixbake';

export function unknownKey(at: Path, key: string, paired: string | undefined): Diagnostic {
  const path = dotPath([...at, key]);
  const pattern = pathPattern(at);
  // [axis.python.values.3.12] is the tables "3" then "12": TOML splits bare keys at dots.
  if (pattern === 'axis.*.values.*' && /^\d+$/.test(String(at[3])) && /^\d/.test(key)) {
    return error(
      path,
      `unknown key ${JSON.stringify(key)}: TOML read the value ${String(at[3])}.${key} as two nested tables`,
      `quote the value: [axis.${String(at[1])}.values."${String(at[3])}.${key}"]`,
    );
  }
  const synonym = SYNONYMS[pattern]?.[key];
  const guess = paired ?? guessKey(at, key);
  const known = KNOWN_KEYS[pattern] ?? [];
  const where = pattern === '' ? 'the tables of a matrix' : `the keys of [${pattern.replaceAll('*', '<name>')}]`;
  // An AWS key under [sccache], a token in [project]: the value is never echoed, and never belongs here.
  if (!guess && isCredentialName(key))
    return error(
      path,
      `unknown key ${showString(key)}, and it looks like a credential`,
      'credentials never go in the matrix: sccache\'s AWS keys come from the environment as BuildKit secrets (auth = "static" or "oidc"), others as secrets of their own',
    );
  return error(path, `unknown key ${showString(key)}${meant(key, guess)}`, synonym?.hint ?? `${where}: ${known.join(', ')}`);
}

export function guessKey(at: Path, key: string): string | undefined {
  const pattern = pathPattern(at);
  return SYNONYMS[pattern]?.[key]?.key ?? closest(key, KNOWN_KEYS[pattern] ?? []);
}

export function missingKey(at: Path, expected: string, raw: unknown): Diagnostic {
  const path = dotPath(at);
  const key = String(at.at(-1));
  if (key === 'reason' && at[1] === 'exclude') {
    // Exclude keys are axis names, so a misspelt reason is no unknown key: look for it here.
    const axes = Object.keys(valueAt(raw, ['matrix']) ?? {});
    const typo = closest(
      'reason',
      Object.keys(valueAt(raw, at.slice(0, -1)) ?? {}).filter((k) => !axes.includes(k)),
    );
    return error(
      path,
      `every exclude needs a reason${typo ? ` (found "${typo}": did you mean "reason"?)` : ''}`,
      'say why the combination is left out, e.g. reason = "TensorRT-LLM publishes CUDA 13 builds only"',
    );
  }
  const parent = at.length > 1 ? `[${dotPath(at.slice(0, -1))}]` : 'the file';
  return error(path, `missing required key ${JSON.stringify(key)} (${expectedWords([expected])})`, `add ${key} = ... to ${parent}`);
}

export function notAMatrix(raw: unknown): Diagnostic {
  const tables = isTable(raw)
    ? Object.keys(raw)
        .slice(0, 4)
        .map((k) => `[${k}]`)
    : [];
  const project = isTable(raw) && 'project' in raw ? ', and its [project] has no image' : '';
  return error(undefined, `is not a matrix file: it has no [matrix] and no [stage.<name>]${project} (its tables: ${tables.join(', ') || 'none'})`, ROOT_HINT);
}
