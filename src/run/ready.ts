// Which jobs of a levelled build may start: those whose every link is pushed, not only when the
// whole level before them is done, so a backend need not wait for the wheel it does not link.
//
// The jobs of one group (a stage's targets in one level) start together, in one bake, when all
// of them may. Targets of one stage share steps (the runtimes' COPY of the base and the wheels),
// and BuildKit keeps a shared step's cache with one of the targets that built it
// (moby/buildkit#4674): a target restored in another company than the one it was cached with
// reruns what it shares. Measured on the bench matrix at a commit that changes vLLM's pin: started
// one by one as their links were pushed, SGLang's and TensorRT-LLM's runtimes reran their steps
// (8 RUNs where the plan expects 6); started by stage, exactly the 6 ran.

export interface Job {
  target: string;
  /** The targets whose link images it reads. */
  needs: string[];
  /** Jobs of one group start together (its stage and level). */
  group?: string;
}

/** The jobs not yet started whose links are all pushed, and so are those of every job of their group, in the order given. */
export function readyJobs<J extends Job>(jobs: readonly J[], started: ReadonlySet<string>, pushed: ReadonlySet<string>): J[] {
  const waiting = jobs.filter((j) => !started.has(j.target));
  const linked = (j: J) => j.needs.every((n) => pushed.has(n));
  const blocked = new Set(
    waiting
      .filter((j) => !linked(j))
      .map((j) => j.group)
      .filter((g) => g !== undefined),
  );
  return waiting.filter((j) => linked(j) && (j.group === undefined || !blocked.has(j.group)));
}
