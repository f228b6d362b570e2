import type { z } from 'zod';
import { keyPath } from '../show-value.js';

// Where a zod issue points in the file as parsed, and a union's issues unwrapped to the branch
// the user meant.

export type Issue = z.core.$ZodIssue;

export type Path = readonly PropertyKey[];

export function dotPath(path: Path): string {
  return keyPath(...path.map((p) => (typeof p === 'number' ? p : String(p))));
}

/** A union whose value had the right type for one option carries that option's issues. */
export function unwrapUnion(issue: Issue): Issue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const fits = issue.errors.find(
    (errs) => errs.length > 0 && !errs.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_union')),
  );
  if (!fits) return [issue];
  return fits.flatMap((e) => unwrapUnion({ ...e, path: [...issue.path, ...e.path] } as Issue));
}

export function rootExpected(issue: Issue & { code: 'invalid_union' }): string[] {
  return issue.errors
    .flat()
    .flatMap((e) => (e.path.length > 0 ? [] : e.code === 'invalid_type' ? [e.expected] : e.code === 'invalid_union' ? rootExpected(e) : []));
}

export const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

export function rawAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const p of path) v = isTable(v) || Array.isArray(v) ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

export function valueAt(raw: unknown, path: Path): Record<string, unknown> | undefined {
  const v = rawAt(raw, path);
  return isTable(v) ? v : undefined;
}
