import type { Matrix } from '../model/model.js';

// The build graph: the one source of truth every emitter reads.

export interface PlannedArg {
  name: string;
  value: string;
  /** Where the value came from: `project`, `axis.cuda.values.12`, `stage.runtime`. */
  from: string;
  /** The other values it had, from sources this one beats (`explain` shows them). */
  over?: { from: string; value: string }[];
}

/** An arg some key sets for a target, kept from it by `[arg.<NAME>] stages`. */
export interface WithheldArg {
  name: string;
  /** The keys that set it (`axis.framework.values.vllm.args`). */
  from: string[];
  /** The stages it reaches. */
  stages: string[];
}

export interface PlanLink {
  /** Named build context in the Dockerfile. */
  context: string;
  /** Target it resolves to (`target:<target>`). */
  target: string;
  /** Set when the link is not the stage's own `uses` but passed on through the named context it names. */
  via?: string;
}

/** A named context that is no stage: what bake's `contexts` gets as it is. */
export interface PlanSource {
  context: string;
  /** As written: `build/trtllm_wheel`, `docker-image://...`, `oci-layout://...`. */
  source: string;
  kind: 'local' | 'image' | 'oci-layout';
  /** The matrix key: `stage.runtime.contexts.trtllm_wheel`, `axis.framework.values.trtllm.contexts.trtllm_wheel`. */
  from: string;
}

export interface PlanTarget {
  /** `runtime-vllm-cuda12`, or its per-arch twin `runtime-vllm-cuda12-amd64`. */
  name: string;
  stage: string;
  /** Values of the stage's own axes. */
  values: Record<string, string>;
  /** Set on per-arch twins only. */
  arch?: string;
  /** The multi-arch node this is (for a node: its own name). */
  node: string;
  /** Arch values built, and their platforms (`linux/arm64`); empty when the matrix has no arch axis. */
  archs: string[];
  platforms: string[];
  context: string;
  dockerfile: string;
  /** The matrix key that chose the Dockerfile: `stage.base.dockerfile`, `axis.framework.values.vllm.dockerfile`. */
  dockerfileKey: string;
  /** Set when `dockerfile` is composed (matrixbake writes it): the files it concatenates, in order. */
  dockerfileParts?: string[];
  dockerTarget: string;
  args: PlannedArg[];
  /** Args its keys set that `[arg.<NAME>] stages` keeps from this stage (the bake file and explain say so). */
  withheld: WithheldArg[];
  /** Args given a bake variable of another name: arg -> variable (`variable_args`). */
  renamedVariables: Record<string, string>;
  /** Bake variables passed as build args of the same name. */
  variableArgs: string[];
  links: PlanLink[];
  /** Named contexts that are no stage (`contexts`). */
  sources: PlanSource[];
  /** Tags `<image>:<VERSION>-<tagSuffix>` and `latest-` twin; undefined when not published. */
  tagSuffix?: string;
  /** Its tag templates with all but `{registry}` and `{version}` filled in; set with tagSuffix. */
  tags?: string[];
  sccache: boolean;
  description: string;
  /**
   * Set on a node built as its per-arch twins only: `args` differ between its twins (per-arch
   * args), or it `links` nodes that are built so. The bake file makes it a group of its twins.
   */
  perArch?: { args: string[]; links: string[] };
  /** Dependency level: 0 links nothing; level k links only lower levels. */
  level: number;
}

export interface PlanGroup {
  name: string;
  description: string;
  targets: string[];
  /** The matrix key that names the group (`matrix.cuda[0]`, `stage.runtime`); none for all and default. */
  source?: string;
}

export interface Plan {
  matrix: Matrix;
  /** Nodes first (in stage then cell order), then per-arch twins. */
  targets: PlanTarget[];
  groups: PlanGroup[];
}
