import { BuildFailed } from '../errors.js';
import type { PlanTarget } from '../plan/plan.js';
import type { Command } from './exec.js';
import { digestOf } from './imagetools.js';
import { LINK_NEUTRAL_LABELS, type LevelOptions, type LevelRun, linkSets, linkTag } from './levels.js';

// What a release twin's bakes set, and where a CI job finds the links earlier jobs pushed: a link image for the levels after it (no attestations, so its
// digest is reproducible), and for a published twin the release image, pushed by digest with
// provenance and an SBOM. Each is one `docker buildx bake` of the same target.

export interface TwinOptions {
  lo: LevelOptions;
  /** The repository published twins are pushed to by digest. */
  repo: string;
  sbomGenerator?: string;
}

/** The `--set`s of each bake of one twin, in order. */
export function twinSteps(run: LevelRun, t: PlanTarget, o: TwinOptions, pinned: (target: string) => string | undefined): string[][] {
  const name = run.targets[0];
  // The labels that would name the commit, or tell this twin from its node, are empty, whether
  // or not anything links it: see releaseCommand. The index's annotations carry them.
  const neutral = LINK_NEUTRAL_LABELS.map((label) => `${name}.labels.${label}=`);
  const linkSets_ = [...new Set([...run.set, ...linkSets(run, o.lo, pinned), ...neutral])];
  const steps: string[][] = [];
  // A link image for later levels (no attestations, so its digest is reproducible) ...
  if (run.pushesLink) steps.push(linkSets_);
  // ... and, for a published twin, the release image: by digest, with provenance.
  if (t.tagSuffix !== undefined) {
    steps.push([
      ...linkSets_.filter((s) => s.startsWith(`${name}.contexts.`) || s.startsWith(`${name}.args.`) || s.startsWith(`${name}.labels.`)),
      `${name}.output=type=image,name=${o.repo},push-by-digest=true,name-canonical=true,push=true,rewrite-timestamp=true`,
      `${name}.attest=type=provenance,mode=max`,
      `${name}.attest=type=sbom${o.sbomGenerator ? `,generator=${o.sbomGenerator}` : ''}`,
    ]);
  }
  if (steps.length === 0) steps.push(linkSets_);
  return steps;
}

/** A CI job's links (`--only`): the digests earlier jobs of the same commit pushed them as. */
export async function pushedLinks(b: Command, runs: LevelRun[], lo: LevelOptions, cwd: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const l of runs.flatMap((r) => r.links)) {
    const digest = await digestOf(b, linkTag(lo, l.target), cwd);
    if (!digest)
      throw new BuildFailed(
        `${linkTag(lo, l.target)} is not in the registry: the job that builds ${l.target} did not run or failed`,
        'run the jobs of `matrixbake ci --levels` level by level, the same commit in each',
      );
    out.set(l.target, digest);
  }
  return out;
}
