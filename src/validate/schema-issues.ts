import type { z } from 'zod';
import { didYouMean, error, type Diagnostic } from '../diagnostics.js';

/** The keys a strict object accepts, by dot path pattern (`*` = any name), for did-you-mean. */
const KNOWN_KEYS: Record<string, string[]> = {
  '': ['project', 'matrix', 'axis', 'stage', 'cache', 'sccache', 'ci', 'variables'],
  project: ['image', 'registry', 'context', 'source', 'description', 'args'],
  'axis.*': ['label', 'values'],
  'axis.*.values.*': ['args', 'dockerfile', 'label', 'description'],
  'stage.*': ['dockerfile', 'target', 'axes', 'uses', 'publish', 'args', 'variables', 'sccache', 'description'],
  cache: ['registry', 'fallback'],
  sccache: ['bucket', 'region', 'auth', 'key_prefix'],
  ci: ['runners'],
};

export function dotPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `${String(p)}`)).join('.').replaceAll('.[', '[');
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  const pattern = path.map((p, i) => (i % 2 === 1 && (path[0] === 'axis' || path[0] === 'stage') ? '*' : String(p)));
  return KNOWN_KEYS[pattern.join('.')] ?? [];
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return `a date (${value.toISOString()})`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** zod issues -> one diagnostic each, naming the key path and the culprit value. */
export function schemaDiagnostics(issues: readonly z.core.$ZodIssue[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = dotPath(issue.path);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          const full = path ? `${path}.${key}` : key;
          out.push(error(full, `unknown key "${key}"${didYouMean(key, knownKeys(issue.path))}`, 'see DESIGN.md "The matrix file" for the keys a matrix takes'));
        }
        break;
      case 'invalid_type':
        if (issue.input === undefined) {
          out.push(error(path, `missing required key (expected ${issue.expected})`));
        } else {
          out.push(error(path, `expected ${issue.expected}, got ${describe(issue.input)}`));
        }
        break;
      case 'invalid_union':
        out.push(error(path, `expected a string, number or boolean (or a list of them), got ${describe(issue.input)}`));
        break;
      case 'invalid_value':
        out.push(error(path, `${describe(issue.input)} is not one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`));
        break;
      default:
        out.push(error(path || undefined, issue.message));
    }
  }
  return out;
}
