import { rawjsonVertices, type Vertex } from './rawjson.js';

// What a bake did, read from the progress buildx wrote while it ran (kept by runTee): plain text
// when stderr is not a terminal, or rawjson when the user asked for it (`-- --progress=rawjson`).
// Reading it costs nothing after the build, unlike replaying each record from BuildKit's history.
//
// Plain progress: `#N <name>` when vertex N starts, then `#N CACHED`, `#N DONE 0.1s`,
// `#N ERROR: <message>` or `#N CANCELED`; other `#N ...` lines are its logs. In a bake of several
// targets buildx prefixes each name with the target that asked for the vertex first
// (`[runtime-vllm-cuda12 linux/amd64 runtime 2/8] COPY ...`), so a vertex shared by two targets is
// counted for one of them.

/** The vertices of a progress stream, each as its last update left it. */
export function progressVertices(stream: string): Vertex[] {
  if (/^\{/m.test(stream)) return rawjsonVertices(stream);
  const vertices = new Map<string, Vertex>();
  for (const m of stream.matchAll(/^#(\d+) (.*)$/gm)) {
    const [, id, rest] = m as unknown as [string, string, string];
    const v = vertices.get(id);
    if (!v) {
      vertices.set(id, { digest: `#${id}`, name: rest });
      continue;
    }
    if (rest === 'CACHED') v.cached = true;
    else if (/^DONE \d/.test(rest)) v.completed ??= 'done';
    else if (rest.startsWith('ERROR: ')) v.error = rest.slice('ERROR: '.length);
  }
  return [...vertices.values()];
}

export interface TargetProgress {
  /** Dockerfile instructions (`[linux/amd64 base 2/5] RUN ...`): the steps that do the work. */
  instructions: number;
  /** Instructions answered from cache: all of them means nothing was rebuilt. */
  instructionsCached: number;
  /** Registry cache exports that failed (`cache-to` has ignore-error=true: the build went on). */
  cacheErrors: string[];
}

// `[target? platform? stage n/m] ...`, as opposed to `[internal] ...`, `[target] exporting ...`.
const INSTRUCTION = /^\[([^\]]*) \d+\/\d+\] /;
const CACHE_EXPORT = /^(\[([^\]]*)\] )?exporting cache to /;

/** Per target of a run: its instructions and failed cache exports. */
export function targetProgress(vertices: Vertex[], runTargets: string[]): Map<string, TargetProgress> {
  const out = new Map<string, TargetProgress>(runTargets.map((t) => [t, { instructions: 0, instructionsCached: 0, cacheErrors: [] }]));
  const owner = (label: string | undefined): TargetProgress | undefined => {
    if (runTargets.length === 1) return out.get(runTargets[0]!);
    const first = label?.split(' ')[0];
    return first === undefined ? undefined : out.get(first);
  };
  for (const v of vertices) {
    const step = INSTRUCTION.exec(v.name);
    if (step) {
      const p = owner(step[1]);
      if (!p) continue;
      p.instructions++;
      if (v.cached) p.instructionsCached++;
      continue;
    }
    const exp = CACHE_EXPORT.exec(v.name);
    if (exp && v.error) owner(exp[2])?.cacheErrors.push(v.error);
  }
  return out;
}
