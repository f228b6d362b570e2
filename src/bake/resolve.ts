import type { BakeFileStream } from './bake-file.js';
import type { Expr } from './expr.js';

// Evaluates a bake file the way `docker buildx bake --print` does, without buildx: variables from
// defaults and overrides, conditionals, null args dropped, empty lists left out, duplicate cache
// entries folded. Tests hold it equal to real buildx; `compile --format resolved` prints it.

export type Value = string | boolean | null | Value[] | { [k: string]: Value };

export interface Resolved {
  group: Record<string, { targets: string[] }>;
  target: Record<string, Record<string, Value>>;
}

/** Go's strconv.ParseBool, which bake uses for bool variables set from the environment. */
function parseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

export function resolveBake(file: BakeFileStream, overrides: Record<string, string> = {}): Resolved {
  const vars = new Map<string, Value>();
  for (const v of file.variables) {
    const def = evaluate(v.default, vars);
    const given = overrides[v.name];
    if (given === undefined) vars.set(v.name, def);
    else if (typeof def === 'boolean') {
      const b = parseBool(given);
      if (b === undefined) throw new Error(`${v.name}: "${given}" is not a bool`);
      vars.set(v.name, b);
    } else vars.set(v.name, given);
  }
  const target: Resolved['target'] = {};
  for (const t of file.targets) {
    const out: Record<string, Value> = {};
    for (const [k, e] of t.attributes) {
      let v = evaluate(e, vars);
      // bake folds duplicate list entries (two equal tags when VERSION=latest, a fallback equal to BRANCH).
      if (Array.isArray(v)) v = [...new Set(v.map((x) => String(x)))];
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        v = Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== null)
            .map(([key, x]) => [key, typeof x === 'boolean' ? String(x) : x]),
        );
      }
      if (v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v).length === 0)) continue;
      out[k] = v;
    }
    target[t.name] = out;
  }
  return { group: Object.fromEntries(file.groups.map((g) => [g.name, { targets: g.targets }])), target };
}

function evaluate(e: Expr, vars: Map<string, Value>): Value {
  switch (e.k) {
    case 'str':
    case 'bool':
      return e.v;
    case 'null':
      return null;
    case 'var': {
      if (!vars.has(e.name)) throw new Error(`unknown variable ${e.name}`);
      return vars.get(e.name)!;
    }
    case 'tpl':
      return e.parts.map((p) => (typeof p === 'string' ? p : String(evaluate(p, vars)))).join('');
    case 'call': {
      const [s, re, repl] = e.args.map((a) => String(evaluate(a, vars)));
      return s!.replace(new RegExp(re!, 'g'), repl!);
    }
    case 'cond':
      return evaluate(e.test, vars) === true ? evaluate(e.then, vars) : evaluate(e.else, vars);
    case 'list':
      return e.items.map((i) => evaluate(i, vars));
    case 'map':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v, vars)]));
  }
}
