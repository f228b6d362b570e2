import type { Resolved, Value } from '../../src/bake/resolve.js';
import type { BakePrint } from './buildx.js';

// What `--print` does differently from the file we wrote, undone so the two compare equal
// (docs/design.md, "What `buildx bake --print` shows"):
// - cache-from, cache-to and secret come back as objects: we compare both sides as objects;
// - args and labels are re-escaped (`${` -> `$${`, `%{` -> `%%{`) so the JSON can be read back;
// - targets reached only through `target:` links get `output: [{type: cacheonly}]` (`reachable` adds it).

const CSV_ATTRS = ['cache-from', 'cache-to', 'secret', 'output'];

function csvToObject(s: string): Record<string, string> {
  return Object.fromEntries(s.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

const unescapeHcl = (s: string) => s.replaceAll('$${', () => '${').replaceAll('%%{', () => '%{');

export function normaliseTargets(targets: Record<string, Record<string, unknown>>, printed: boolean): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(targets).map(([name, t]) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(t)) {
        if (CSV_ATTRS.includes(k)) out[k] = (v as (string | Record<string, string>)[]).map((e) => sortKeys(typeof e === 'string' ? csvToObject(e) : e));
        else if (printed && (k === 'args' || k === 'labels'))
          out[k] = sortKeys(Object.fromEntries(Object.entries(v as Record<string, string>).map(([a, b]) => [a, unescapeHcl(b)])));
        else out[k] = v && typeof v === 'object' && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v;
      }
      return [name, sortKeys(out)];
    }),
  );
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The resolved file restricted to what buildx prints for `names`: those targets and all they link. */
export function reachable(resolved: Resolved, names: string[]): Record<string, Record<string, Value>> {
  const seen = new Set<string>();
  const requested = new Set<string>();
  const visit = (n: string, direct: boolean) => {
    if (resolved.group[n]) return resolved.group[n]!.targets.forEach((t) => visit(t, direct));
    if (direct) requested.add(n);
    if (seen.has(n)) return;
    seen.add(n);
    const ctx = (resolved.target[n]?.contexts ?? {}) as Record<string, string>;
    for (const v of Object.values(ctx)) if (v.startsWith('target:')) visit(v.slice('target:'.length), false);
  };
  names.forEach((n) => visit(n, true));
  // buildx builds a target that is only linked, not asked for, into the cache alone.
  const linkOnly = (n: string): Record<string, Value> => (requested.has(n) || resolved.target[n]!.output ? {} : { output: ['type=cacheonly'] });
  return Object.fromEntries([...seen].map((n) => [n, { ...resolved.target[n]!, ...linkOnly(n) }]));
}

export function normalisePrint(p: BakePrint) {
  return normaliseTargets(p.target, true);
}
