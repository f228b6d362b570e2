// Which jobs of a levelled build may start: those whose every link is pushed. A job starts as
// soon as the images it links are in the registry, not when the whole level before it is done,
// so a runtime need not wait for another framework's backend (Dynamo's TensorRT-LLM backend
// builds for hours longer than vLLM's).

export interface Job {
  target: string;
  /** The targets whose link images it reads. */
  needs: string[];
}

/** The jobs not yet started whose links are all pushed, in the order given. */
export function readyJobs<J extends Job>(jobs: readonly J[], started: ReadonlySet<string>, pushed: ReadonlySet<string>): J[] {
  return jobs.filter((j) => !started.has(j.target) && j.needs.every((n) => pushed.has(n)));
}
