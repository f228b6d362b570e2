import { sortIntoLevels } from '../graph/levels.js';
import { linkClosure } from '../plan/closure.js';
import { planIndex } from '../plan/plan-index.js';
import type { Plan } from '../plan/plan.js';

// A build in dependency order, for builders that start empty (CI runners, a wiped buildkitd, a
// laptop) and restore from the registry cache. Each target is one run; `bake` starts the runs
// whose links are pushed (src/run/ready.ts), several as one `docker buildx bake`.
//
// Why not one bake: when several bake targets share vertices, each target's job imports only its
// own cache-from, and BuildKit then misses cache that every single target finds when built alone
// (docker/buildx#3878, #414; measured on BuildKit v0.32.2, docs/caching.md). So here no two jobs
// share an unbuilt vertex: a target links earlier levels through images they pushed, pinned by
// digest (`docker-image://<repo>:link-<target>-<tag>@sha256:...`), never through `target:`, and a
// job imports its own cache refs only.
//
// Why per-arch: a multi-arch node is built as its per-arch twins, one bake each, then merged
// into a manifest list (`nodeMerges`). So a developer's `bake all`, a release and a CI job build
// the same per-arch targets, link the same per-arch images and write the same cache refs. Built
// as one multi-platform bake instead, a node links an index, and BuildKit (v0.32.2) then misses
// the twins' cache for COPY --from steps and in places for RUNs, though the layers are the same.
//
// Why a constant SOURCE_DATE_EPOCH: BuildKit's Dockerfile frontend stamps it into steps' cache
// keys (the mkdir of every WORKDIR) and the exporter into every layer (rewrite-timestamp). The
// commit time would give every commit new link images and new keys, so a commit that changes
// nothing a target reads would rebuild it. With a constant, the images are the same bytes on every
// commit, and BuildKit matches a linked image by its layers (the chain ID of its diff IDs: source/
// containerimage/pull.go), whatever its tag. The commit time goes into the release's index
// annotations instead (release-plan.ts).
//
// Why link images are rewritten too (rewrite-timestamp), though it costs: the exporter rewrites
// every layer of a target's own steps on every export, cached or not (decompress, clamp the times,
// recompress; exporter/containerimage/writer.go keeps no result), about 1 of BuildKit's 2.3
// CPU-seconds on a warm `bake all` of the bench matrix. A release image carries its links' layers
// as they are (the exporter leaves a base image's layers alone), so only rewritten links make two
// builds from clean state the same image; and a bake must link the same bytes as CI's jobs, or
// every step after a link misses the cache they wrote.

/** SOURCE_DATE_EPOCH of every levelled and released build, unless `--var SOURCE_DATE_EPOCH`. */
export const BUILD_EPOCH = '0';

/** Labels that differ between a node and its twins, or between commits: empty in link images. */
export const LINK_NEUTRAL_LABELS = ['org.opencontainers.image.description', 'org.opencontainers.image.revision', 'org.opencontainers.image.version'];

export interface LevelOptions {
  /** Repository the link images go to: `<repo>:link-<target>-<tag>`. */
  repo: string;
  tag: string;
  /** Image config and layer timestamps (BUILD_EPOCH), so a restored link image is byte-identical. */
  sourceDateEpoch: string;
  /** Build only the requested targets: their links were pushed by earlier jobs (a CI fan-out job). */
  only?: boolean;
  /** Build only these arches of a multi-arch node (a `--set *.platform=linux/amd64`). */
  archs?: string[];
  /** Push a link image of every twin of a requested published node, for `nodeMerges` (`--push`). */
  publish?: boolean;
}

/** One `docker buildx bake` invocation: a single target, in level order. */
export interface LevelRun {
  level: number;
  targets: [string];
  /** buildx `--set` overrides for this invocation, but for its links (`linkSets`). */
  set: string[];
  /** Named contexts read from earlier levels' link images, pinned by digest at run time. */
  links: { context: string; target: string }[];
  /** Whether this target pushes a link image (read by a later level or merged): its digest is in the metadata. */
  pushesLink: boolean;
}

/** The tag of a target's link image; the run pins it by digest. */
export function linkTag(o: Pick<LevelOptions, 'repo' | 'tag'>, target: string): string {
  return `${o.repo}:link-${target}-${o.tag}`;
}

/** The requested targets (or groups), nodes as their per-arch twins, and everything they link, in levels. */
export function planLevels(plan: Plan, requested: string[], o: LevelOptions): LevelRun[] {
  const byName = planIndex(plan).target;
  const roots = requested.flatMap((r) => asTwins(plan, r, o.archs));
  const closure = linkClosure(plan, roots);
  const items = plan.targets.map((t) => t.name).filter((n) => closure.has(n));
  const sorted = sortIntoLevels(items, (n) => byName.get(n)!.links.map((l) => l.target));
  if ('cycle' in sorted) throw new Error(`link cycle: ${sorted.cycle.join(' -> ')}`);
  // Alone, a job cannot see who will link its image, so it pushes one whenever anything could.
  const linked = new Set((o.only ? plan.targets.map((t) => t.name) : items).flatMap((n) => byName.get(n)!.links.map((l) => l.target)));
  if (o.publish) for (const m of nodeMerges(plan, requested, o.archs)) for (const t of m.twins) linked.add(t);

  const run = (n: string, level: number): LevelRun => {
    const set = [`${n}.args.SOURCE_DATE_EPOCH=${o.sourceDateEpoch}`];
    if (linked.has(n)) {
      // buildx names an image output after the target's tags, whatever `name=` says.
      set.push(`${n}.tags=${linkTag(o, n)}`, `${n}.output=type=image,push=true,rewrite-timestamp=true`);
      // A provenance attestation records build times, so the index digest would change on every
      // rebuild, and with it the image every later level is pinned to.
      set.push(`${n}.attest=type=provenance,disabled=true`);
      // Labels that name the commit would make every commit's link a new image.
      for (const label of LINK_NEUTRAL_LABELS) set.push(`${n}.labels.${label}=`);
    }
    return { level, targets: [n], set, links: byName.get(n)!.links.map((l) => ({ context: l.context, target: l.target })), pushesLink: linked.has(n) };
  };
  const asked = new Set(roots);
  const wanted = (n: string) => !o.only || asked.has(n);
  return sorted.levels.flatMap((names, level) => names.filter(wanted).map((n) => run(n, level)));
}

/** A target or group as what levels build: targets, with each multi-arch node as its twins. */
function asTwins(plan: Plan, name: string, archs?: string[]): string[] {
  const index = planIndex(plan);
  const group = index.group.get(name);
  if (group) return [...new Set(group.targets.flatMap((t) => asTwins(plan, t, archs)))];
  const t = index.target.get(name);
  if (!t) throw new Error(`unknown target or group "${name}"`);
  const twins = t.arch === undefined ? (index.twins.get(t.name) ?? []) : [];
  if (twins.length === 0) return [name];
  const kept = twins.filter((x) => archs === undefined || archs.includes(x.arch!));
  if (kept.length === 0) throw new Error(`${name} is built for ${t.archs.join(', ')}, not for ${archs!.join(', ')}`);
  return kept.map((x) => x.name);
}

/** A published node asked for by name or group, and the twins whose link images make its manifest list. */
export interface NodeMerge {
  node: string;
  twins: string[];
}

export function nodeMerges(plan: Plan, requested: string[], archs?: string[]): NodeMerge[] {
  const index = planIndex(plan);
  const names = new Set(requested.flatMap((r) => index.group.get(r)?.targets ?? [r]));
  return plan.targets
    .filter((t) => names.has(t.name) && t.arch === undefined && t.tagSuffix !== undefined)
    .map((t) => ({
      node: t.name,
      twins: (index.twins.get(t.name) ?? []).filter((x) => archs === undefined || archs.includes(x.arch!)).map((x) => x.name),
    }))
    .filter((m) => m.twins.length > 0);
}

/** The `--set`s that point a run's named contexts at its links' images, by digest when known. */
export function linkSets(run: LevelRun, o: Pick<LevelOptions, 'repo' | 'tag'>, digestOf: (target: string) => string | undefined): string[] {
  const n = run.targets[0];
  return run.links.map((l) => {
    const digest = digestOf(l.target);
    return `${n}.contexts.${l.context}=docker-image://${linkTag(o, l.target)}${digest ? `@${digest}` : ''}`;
  });
}

/** The cache registry a run links through: `--var CACHE_REGISTRY`, else the matrix's `[cache] registry`. */
export function cacheRegistryOf(plan: Plan, vars: Record<string, string>): string | undefined {
  return (vars.CACHE_REGISTRY ?? plan.matrix.cache?.registry) || undefined;
}
