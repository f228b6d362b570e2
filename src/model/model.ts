// The normalised matrix every later step reads. Built once by normaliseMatrix; no step after it
// sees the alternative forms a user may write (numbers for values, missing labels, defaults).

export type ArgMap = Record<string, string>;

export interface AxisValue {
  value: string;
  /** The value as written in names (`cuda12`). */
  label: string;
  args: ArgMap;
  /** The Dockerfile bake reads: the file, or the composed file of `dockerfileParts`. */
  dockerfile?: string;
  /** Set when `dockerfile` was a list: the files concatenated, in order. */
  dockerfileParts?: string[];
  /** Named contexts that are no stage (`contexts`): name -> source as written. */
  contexts: Record<string, string>;
  description?: string;
}

export interface Axis {
  name: string;
  values: AxisValue[];
}

export interface Exclude {
  /** Position in `[[matrix.exclude]]`, for messages (`matrix.exclude[1]`). */
  index: number;
  /** Axis -> the values it matches; axes not named match anything. */
  match: Record<string, string[]>;
  reason: string;
}

/** `[[when]]`: args for the cells matching every axis it names. */
export interface When {
  /** Position in `[[when]]`, for messages (`when[1]`). */
  index: number;
  /** Axis -> the values it matches. */
  match: Record<string, string[]>;
  args: ArgMap;
  /** The stages it reaches; undefined: every stage that varies over all its axes. */
  stages?: string[];
}

interface Link {
  /** Named build context in the consumer's Dockerfile (`dynamo-base`). */
  context: string;
  stage: string;
}

export interface Stage {
  name: string;
  /** Dockerfile stage name. */
  target: string;
  /** The Dockerfile bake reads: the file, or the composed file of `dockerfileParts`. */
  dockerfile?: string;
  /** Set when `dockerfile` was a list: the files concatenated, in order. */
  dockerfileParts?: string[];
  /** Files appended to whichever Dockerfile the stage gets (`append`). */
  append: string[];
  axes: string[];
  uses: Link[];
  /** Named contexts that are no stage: name -> a directory, `docker-image://...` or `oci-layout://...`. */
  contexts: Record<string, string>;
  publish: boolean;
  /** Its own tag templates (`stage.tags`); else the project's. */
  tags?: string[];
  args: ArgMap;
  variables: string[];
  /** Arg -> the bake variable passed as it (`variable_args`). */
  variableArgs: Record<string, string>;
  /** Cells this stage alone is not built for (`stage.<name>.exclude`). */
  excludes: Exclude[];
  sccache: boolean;
  description?: string;
}

export interface LintAccept {
  index: number;
  key: string;
  file?: string;
  contains?: string;
  reason: string;
}

interface Project {
  image: string;
  registry: string;
  context: string;
  source?: string;
  description?: string;
  args: ArgMap;
  /** Where composed Dockerfiles are written (repo-relative). */
  composedDir: string;
  /** Tag templates of published images (`project.tags`, or DEFAULT_TAGS). */
  tags: string[];
}

export interface Matrix {
  file: string;
  project: Project;
  /** Every axis but arch, in the order written. */
  axes: Axis[];
  /** The arch axis (platforms), if the matrix has one. */
  arch?: Axis;
  /** The axis written before the stage in tags and stage x value groups (`vllm-runtime`): the first in [matrix]. */
  primaryAxis?: string;
  excludes: Exclude[];
  when: When[];
  /** In the order written. */
  stages: Stage[];
  cache?: { registry: string; fallback: string[] };
  sccache?: {
    bucket: string;
    region: string;
    auth: 'static' | 'oidc' | 'none';
    keyPrefix: string;
    on: string;
    args: { use: string; bucket: string; region: string; keyPrefix: string };
  };
  /** User-declared bake variables and their defaults. */
  variables: ArgMap;
  /** Arg -> the only stages it reaches (`[arg.<NAME>] stages`); args not named reach every stage their keys do. */
  argStages: Record<string, string[]>;
  /** Lint findings accepted on purpose (`[[lint.accept]]`), in order. */
  lintAccept: LintAccept[];
  /**
   * Arch value -> CI runner label: DEFAULT_RUNNERS, then `[ci.runners]` over them. The command
   * a generated pipeline's jobs run matrixbake with: `[ci] command`, or DEFAULT_CI_COMMAND.
   */
  ci: { runners: Record<string, string>; command: string };
}

export const ARCH_AXIS = 'arch';

/** Dynamo's tags: `<registry>/dynamo:<version>-vllm-runtime-cuda12` and `latest-vllm-runtime-cuda12`. */
export const DEFAULT_TAGS = ['{registry}/{image}:{version}-{suffix}', '{registry}/{image}:latest-{suffix}'];

/**
 * The platforms buildx knows for Linux images, by the arch value a matrix writes (the list
 * BuildKit's binfmt and `docker buildx ls` show, microarchitecture levels included).
 */
export const ARCH_PLATFORMS: Record<string, string> = {
  amd64: 'linux/amd64',
  arm64: 'linux/arm64',
  'arm/v7': 'linux/arm/v7',
  'arm/v6': 'linux/arm/v6',
  '386': 'linux/386',
  ppc64le: 'linux/ppc64le',
  s390x: 'linux/s390x',
  riscv64: 'linux/riscv64',
  'amd64/v2': 'linux/amd64/v2',
  'amd64/v3': 'linux/amd64/v3',
  mips64le: 'linux/mips64le',
  mips64: 'linux/mips64',
  loong64: 'linux/loong64',
};

/** Whether `value` is an arch of ARCH_PLATFORMS (an own key: `toString` is not an arch). */
export const isArch = (value: string): boolean => Object.hasOwn(ARCH_PLATFORMS, value);

/**
 * Runner labels for arches `[ci.runners]` does not name: GitHub's hosted Ubuntu runners, x86-64
 * and (since 2025, for public repositories) arm64. Any other arch must be named in the matrix.
 */
export const DEFAULT_RUNNERS: Record<string, string> = {
  amd64: 'ubuntu-24.04',
  arm64: 'ubuntu-24.04-arm',
};

/** How CI jobs run matrixbake unless `[ci] command` says otherwise: the package the repository installs. */
export const DEFAULT_CI_COMMAND = 'npx matrixbake';

/** A cell: one value for every axis (arch included). */
export type Cell = Record<string, string>;
