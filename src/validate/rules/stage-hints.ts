import { showString } from '../../show-value.js';

// The hints of the stages rule: what a stage's target, a \`uses\` value or a context name was
// meant to be.

/** A Dockerfile target written as a file:stage or with blanks. */
export function targetHint(target: string): string {
  const colon = target.lastIndexOf(':');
  if (colon !== -1) return `target is the stage name alone: target = ${showString(target.slice(colon + 1))}; the file goes in dockerfile`;
  if (target.trim() !== target) return `write ${showString(target.trim())}`;
  return 'write the name from its FROM ... AS <name> line';
}

/** What a `uses` value names when it is no stage: bake's `target:base`, a target `base-cuda12`, a Dockerfile target. */
export function stageMeant(stages: { name: string; target: string }[], written: string): { stage: string; why: string } | undefined {
  const bare = written.replace(/^target:/, '');
  const named = stages.find((s) => s.name === bare);
  if (named && bare !== written) return { stage: named.name, why: `"target:" is how the bake file links it; uses names the stage` };
  const target = [...stages].sort((a, b) => b.name.length - a.name.length).find((s) => bare.startsWith(`${s.name}-`));
  if (target) return { stage: target.name, why: `${showString(bare)} is a target of stage "${target.name}"` };
  const docker = stages.find((s) => s.target.toLowerCase() === bare.toLowerCase());
  if (docker) return { stage: docker.name, why: `${showString(bare)} is the Dockerfile target of stage "${docker.name}"` };
  return undefined;
}

/** A context name bake accepts, made from what the user wrote. */
export const contextName = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._/:@-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'dynamo-base';
