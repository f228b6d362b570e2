import type { Plan } from '../plan/plan.js';
import { bakeTargetsOf, linkClosure } from '../plan/closure.js';
import { planIndex } from '../plan/plan-index.js';
import { someOf } from '../show-value.js';
import type { BakeFile, BakeGroup } from './bake-file.js';
import type { Expr } from './expr.js';

// buildx evaluates every block of the file it is given, whatever is asked for, and its cost grows
// about quadratically with the targets (bake/hclparser resolveBlock rebuilds the target object
// after each block): 88 s for 11,000 targets. So each invocation gets a file of what it builds,
// cut from the same bake file value: the same target prints the same JSON from either file.

/** What a projection kept, for `--dry-run` to say. */
export interface Projection {
  bake: BakeFile;
  targets: number;
  of: number;
}

/** The bake file cut to the named targets and groups, everything they link, and the variables those read. */
export function projectBakeFile(plan: Plan, bake: BakeFile, names: readonly string[]): Projection {
  const groupsByName = new Map(bake.groups.map((g) => [g.name, g]));
  const groups = new Map<string, BakeGroup>();
  const addGroup = (name: string) => {
    const g = groupsByName.get(name);
    if (!g || groups.has(name)) return;
    groups.set(name, g);
    g.targets.forEach(addGroup);
  };
  names.forEach(addGroup);
  const emitted = new Set(bake.targets.map((t) => t.name));
  const planned = planIndex(plan).target;
  const roots = bakeTargetsOf(plan, [...names]).filter((n) => planned.has(n));
  const keep = linkClosure(plan, roots);
  const targets = bake.targets.filter((t) => keep.has(t.name) && emitted.has(t.name));
  const read = new Set<string>();
  const visit = (e: Expr) => {
    for (const name of varsOf(e)) read.add(name);
  };
  for (const t of targets) for (const [, e] of t.attributes) visit(e);
  // A variable's default may read another (a template): keep what the kept ones read, to a fixed point.
  for (let size = -1; size !== read.size; ) {
    size = read.size;
    for (const v of bake.variables) if (read.has(v.name)) visit(v.default);
  }
  return {
    bake: {
      header: [...bake.header, `This copy holds what \`${someOf([...names])}\` builds: ${targets.length} of ${bake.targets.length} targets.`],
      variables: bake.variables.filter((v) => read.has(v.name)),
      groups: bake.groups.filter((g) => groups.has(g.name)),
      targets,
    },
    targets: targets.length,
    of: bake.targets.length,
  };
}

/** The variables an expression reads. */
function* varsOf(e: Expr): Generator<string> {
  switch (e.k) {
    case 'var':
      yield e.name;
      break;
    case 'tpl':
      for (const p of e.parts) if (typeof p !== 'string') yield* varsOf(p);
      break;
    case 'call':
      for (const a of e.args) yield* varsOf(a);
      break;
    case 'cond':
      for (const x of [e.test, e.then, e.else]) yield* varsOf(x);
      break;
    case 'list':
      for (const x of e.items) yield* varsOf(x);
      break;
    case 'map':
      for (const [, v] of e.entries) yield* varsOf(v);
      break;
  }
}
