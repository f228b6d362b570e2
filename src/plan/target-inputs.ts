import { ARCH_PLATFORMS, type Matrix, type Stage } from '../model/model.js';
import { axisValue } from '../model/lookup.js';
import { composedPath } from '../model/composed.js';
import { sourceKind } from '../model/sources.js';
import type { PlanSource } from './plan.js';
import { isEmpty } from '../is-empty.js';

// What a node of a stage reads, for one cell of its axes: its Dockerfile (composed or not), the
// contexts that are no stage, and how it describes itself.

/** The stage's own contexts: the same for each of its nodes. */
export function ownSources(stage: Stage): PlanSource[] {
  return Object.entries(stage.contexts).map(([context, source]) => ({
    context,
    source,
    kind: sourceKind(source),
    from: `stage.${stage.name}.contexts.${context}`,
  }));
}

/** The stage's own contexts (`ownSources`), then its axis values' (the stages rule refuses one name from two keys). */
export function sourcesOf(m: Matrix, stage: Stage, own: PlanSource[], values: Record<string, string>): PlanSource[] {
  let out = own;
  for (const axis of m.axes) {
    if (!stage.axes.includes(axis.name)) continue;
    const v = axisValue(m, axis.name, values[axis.name]!);
    if (!v || isEmpty(v.contexts)) continue;
    for (const [context, source] of Object.entries(v.contexts)) {
      if (out === own) out = [...own];
      out.push({ context, source, kind: sourceKind(source), from: `axis.${axis.name}.values.${v!.value}.contexts.${context}` });
    }
  }
  return out;
}

/** The stage's Dockerfile with `append` after it: a composed file of all the parts. */
export function withAppended(m: Matrix, stage: Stage, d: ReturnType<typeof dockerfileFor>): ReturnType<typeof dockerfileFor> {
  if (stage.append.length === 0) return d;
  const parts = [...(d.dockerfileParts ?? [d.dockerfile]), ...stage.append];
  return { dockerfile: composedPath(m.project.composedDir, parts), dockerfileKey: d.dockerfileKey, dockerfileParts: parts };
}

export function dockerfileFor(
  m: Matrix,
  stage: Stage,
  values: Record<string, string>,
): { dockerfile: string; dockerfileKey: string; dockerfileParts?: string[] } {
  const own = `stage.${stage.name}.dockerfile`;
  const parts = (x: { dockerfileParts?: string[] }) => (x.dockerfileParts ? { dockerfileParts: x.dockerfileParts } : {});
  if (stage.dockerfile) return { dockerfile: stage.dockerfile, dockerfileKey: own, ...parts(stage) };
  for (const axis of m.axes) {
    if (!stage.axes.includes(axis.name)) continue;
    const v = axisValue(m, axis.name, values[axis.name]!);
    if (v?.dockerfile) return { dockerfile: v.dockerfile, dockerfileKey: `axis.${axis.name}.values.${v.value}.dockerfile`, ...parts(v) };
  }
  // The stages rule guarantees one of the above; keep the plan total anyway.
  return { dockerfile: 'Dockerfile', dockerfileKey: own };
}

export function describe(m: Matrix, stage: Stage, values: Record<string, string>, archs: string[]): string {
  const what = stage.description ?? `${stage.name} stage (${stage.target})`;
  let cell = '';
  for (const k in values) cell += cell === '' ? `${k}=${values[k]}` : ` ${k}=${values[k]}`;
  const platforms = archs.length > 0 ? ` (${archs.map((a) => ARCH_PLATFORMS[a]).join(', ')})` : '';
  return `${m.project.image} ${what}${cell ? ` for ${cell}` : ''}${platforms}`;
}

export function stageOf(m: Matrix, name: string): Stage {
  return m.stages.find((s) => s.name === name)!;
}
