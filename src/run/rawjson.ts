// One build's record as `docker buildx history logs --progress=rawjson` streams it: BuildKit's
// SolveStatus messages, one JSON object per line, each repeating the vertices that changed. The
// last word on each vertex (by digest) is what happened to it.

export interface BuildSteps {
  /** Every vertex of the build, as `buildx history inspect` counts NumTotalSteps. */
  steps: number;
  /** Vertices BuildKit answered from its cache (local or imported). */
  cached: number;
  /** Dockerfile instructions (`[linux/amd64 base 2/5] RUN ...`): the steps that do the work. */
  instructions: number;
  /** Instructions answered from cache: all of them means nothing was rebuilt. */
  instructionsCached: number;
  /** First vertex start to last vertex end, in milliseconds. */
  durationMs: number;
  /** Vertices that ended in an error: name (BuildKit's progress label) and message. */
  errors: { name: string; error: string }[];
}

/** One vertex (a build step) as its last update left it. */
export interface Vertex {
  digest: string;
  /** BuildKit's progress label, e.g. `[linux/amd64 base 2/5] RUN make`. */
  name: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

/** The stream's vertices, each update merged into the last (an update repeats only what changed). */
export function rawjsonVertices(text: string): Vertex[] {
  const vertices = new Map<string, Vertex>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let message: { vertexes?: Partial<Vertex>[] };
    try {
      message = JSON.parse(line);
    } catch {
      continue; // a line cut short by a killed process: the rest still counts
    }
    for (const v of message.vertexes ?? []) {
      if (!v.digest) continue;
      const prev = vertices.get(v.digest);
      vertices.set(v.digest, { ...prev, ...v, digest: v.digest, name: v.name ?? prev?.name ?? '', cached: !!(v.cached || prev?.cached) });
    }
  }
  return [...vertices.values()];
}

// BuildKit's label for a Dockerfile step: `[platform? stage n/m]`, as opposed to `[internal] ...`,
// `importing cache manifest ...` or `exporting to image`.
const INSTRUCTION = /^\[(?:\S+ )?\S+ \d+\/\d+\] /;

export function parseRawjson(text: string): BuildSteps {
  const all = rawjsonVertices(text);
  const instructions = all.filter((v) => INSTRUCTION.test(v.name));
  const times = (key: 'started' | 'completed') => all.map((v) => (v[key] ? Date.parse(v[key]) : NaN)).filter((t) => !Number.isNaN(t));
  const starts = times('started');
  const ends = times('completed');
  return {
    steps: all.length,
    cached: all.filter((v) => v.cached).length,
    instructions: instructions.length,
    instructionsCached: instructions.filter((v) => v.cached).length,
    durationMs: starts.length > 0 && ends.length > 0 ? Math.max(0, Math.max(...ends) - Math.min(...starts)) : 0,
    errors: all.filter((v) => v.error).map((v) => ({ name: v.name || v.digest, error: v.error! })),
  };
}

/** The steps that failed to export the registry cache (`cache-to`, ignore-error=true: the build went on). */
export function cacheExportErrors(b: BuildSteps): string[] {
  return b.errors.filter((e) => /^(\[[^\]]*\] )?exporting cache to /.test(e.name)).map((e) => e.error);
}
