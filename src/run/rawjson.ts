// BuildKit's progress as `--progress=rawjson` streams it: SolveStatus messages, one JSON object
// per line, each repeating the vertices that changed. The last word on each vertex (by digest) is
// what happened to it, but `cached` is kept once seen: a step answered from cache may report layer
// pulls in a later update that does not repeat it.

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
