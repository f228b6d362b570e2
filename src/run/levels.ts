import { sortIntoLevels } from '../graph/levels.js';
import { linkClosure } from '../plan/closure.js';
import type { Plan } from '../plan/plan.js';

// A build in dependency levels, one `docker buildx bake` per level, for builders that start
// empty (CI runners, a wiped buildkitd) and restore from the registry cache.
//
// Why not one bake: when several bake targets share vertices, each target's job imports only its
// own cache-from, and BuildKit then misses cache that every single target finds when built alone
// (docker/buildx#3878, #414; measured on BuildKit v0.32.2 in README "Rebuilding from the registry
// cache"). So here no two jobs share an unbuilt vertex: a level links earlier levels through
// images they pushed (`docker-image://`), never through `target:`, and a job imports one cache.

export interface LevelOptions {
  /** Repository the link images go to: `<repo>:link-<target>-<tag>`. */
  repo: string;
  tag: string;
  /** Image config and layer timestamps, so a restored link image is byte-identical. */
  sourceDateEpoch: string;
  /** Release tags of published targets that later levels link to, pushed with the link name (`--push`). */
  tagsOf?: (target: string) => string[];
  /** Build only the requested targets: their links were pushed by earlier jobs (a CI fan-out job). */
  only?: boolean;
}

/** One `docker buildx bake` invocation: a single target, in level order. */
export interface LevelRun {
  level: number;
  targets: string[];
  /** buildx `--set` overrides for this invocation. */
  set: string[];
}

/** The requested targets (or groups) and everything they link to, in levels. */
export function planLevels(plan: Plan, requested: string[], o: LevelOptions): LevelRun[] {
  const byName = new Map(plan.targets.map((t) => [t.name, t]));
  const roots = requested.flatMap((r) => {
    const group = plan.groups.find((g) => g.name === r);
    if (group) return group.targets;
    if (byName.has(r)) return [r];
    throw new Error(`unknown target or group "${r}"`);
  });
  const closure = linkClosure(plan, roots);
  const items = plan.targets.map((t) => t.name).filter((n) => closure.has(n));
  const sorted = sortIntoLevels(items, (n) => byName.get(n)!.links.map((l) => l.target));
  if ('cycle' in sorted) throw new Error(`link cycle: ${sorted.cycle.join(' -> ')}`);
  // Alone, a job cannot see who will link its image, so it pushes one whenever anything could.
  const linked = new Set((o.only ? plan.targets.map((t) => t.name) : items).flatMap((n) => byName.get(n)!.links.map((l) => l.target)));
  const linkRef = (target: string) => `${o.repo}:link-${target}-${o.tag}`;

  const setsFor = (n: string): string[] => {
    const set = byName.get(n)!.links.map((l) => `${n}.contexts.${l.context}=docker-image://${linkRef(l.target)}`);
    set.push(`${n}.args.SOURCE_DATE_EPOCH=${o.sourceDateEpoch}`);
    if (linked.has(n)) {
      // buildx names an image output after the target's tags, whatever `name=` says: so the link
      // goes in as a tag, next to the release tags when those are pushed too.
      for (const tag of [linkRef(n), ...(o.tagsOf?.(n) ?? [])]) set.push(`${n}.tags=${tag}`);
      set.push(`${n}.output=type=image,push=true,rewrite-timestamp=true`);
      // A provenance attestation records build times, so the index digest would change on every
      // rebuild, and with it the cache keys of every level that links this image.
      set.push(`${n}.attest=type=provenance,disabled=true`);
    }
    return set;
  };
  const wanted = (n: string) => !o.only || requested.includes(n) || plan.groups.some((g) => requested.includes(g.name) && g.targets.includes(n));
  return sorted.levels.flatMap((names, level) => names.filter(wanted).map((n) => ({ level, targets: [n], set: setsFor(n) })));
}
