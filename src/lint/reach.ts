import { ARCH_PLATFORMS } from '../model/model.js';
import type { PlanTarget } from '../plan/plan.js';
import type { DockerfileModel, DockerStage } from './dockerfile.js';
import { expandWord } from './expand.js';

/** What BuildKit would see for a target on one arch: TARGET* and every meta ARG, expanded in order. */
function variables(t: PlanTarget, df: DockerfileModel, arch: string): Map<string, string> {
  const vars = new Map<string, string>();
  const platform = ARCH_PLATFORMS[arch] ?? `linux/${arch}`;
  const [os, architecture, variant] = platform.split('/');
  vars
    .set('TARGETPLATFORM', platform)
    .set('TARGETOS', os!)
    .set('TARGETARCH', architecture!)
    .set('TARGETVARIANT', variant ?? '');
  const passed = new Map(t.args.map((a) => [a.name, a.value]));
  // In order, as BuildKit reads them: a default may use the args declared above it
  // (vLLM's `ARG BUILD_BASE_IMAGE=nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04`).
  for (const a of df.metaArgs) {
    const value = passed.get(a.name) ?? (a.value === undefined ? undefined : expandWord(a.value, vars));
    if (value !== undefined) vars.set(a.name, value);
  }
  for (const [name, value] of passed) if (!vars.has(name)) vars.set(name, value);
  return vars;
}

export interface Reach {
  stages: Set<DockerStage>;
  /** Named contexts read by some reached stage. */
  consumed: Set<string>;
  /** Images read that are neither a stage nor a named context (`nvcr.io/nvidia/cuda:...`), as expanded. */
  images: Set<string>;
}

// The stages BuildKit would build for this target, per arch (TARGETARCH may pick the stage). A
// name that is a named context stops the walk: the context replaces that stage.
export function reachableFrom(t: PlanTarget, df: DockerfileModel, target: DockerStage, contexts: Set<string>): Reach {
  const stages = new Set<DockerStage>();
  const consumed = new Set<string>();
  const images = new Set<string>();
  for (const arch of t.archs.length > 0 ? t.archs : ['amd64']) {
    const vars = variables(t, df, arch);
    const todo = [target];
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (stages.has(s)) continue;
      stages.add(s);
      for (const ref of [s.base, ...s.refs]) {
        const name = expandWord(ref.name, vars);
        if (contexts.has(name)) consumed.add(name);
        else if (contexts.has(name.toLowerCase())) consumed.add(name.toLowerCase());
        else {
          const next = /^\d+$/.test(name) ? df.stages[Number(name)] : df.stages.find((x) => x.name === name.toLowerCase());
          if (next) todo.push(next);
          else if (name !== 'scratch' && name !== '') images.add(name);
        }
      }
    }
  }
  return { stages, consumed, images };
}
