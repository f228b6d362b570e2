// @iarna/toml builds tables on plain objects: a table named `__proto__` becomes an own key that
// JavaScript then drops when the table is copied (so `[stage.__proto__]` silently vanishes), and
// one named like an Object method (`[x.constructor]`) is merged into that method. Both are
// refused here, by key path, before anything reads the tables.

const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The first key path that names an Object.prototype member as a table or key, if any. */
export function findReservedKey(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'function') return path;
  if (Array.isArray(value)) {
    for (const [i, x] of value.entries()) {
      const found = findReservedKey(x, [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return undefined;
  for (const key of Object.keys(value)) {
    if (PROTO_NAMES.has(key)) return [...path, key];
    const found = findReservedKey((value as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}
