// A namespace import, as zod advises: the bundle (scripts/bundle-cli.mjs) keeps only the parts
// used, where `import { z }` took all of zod, its 40-odd locales included.
import * as z from 'zod';
import { acceptReason, argMap, axisValues, ciCommand, dockerfile, excludeReason, scalar } from './schema-values.js';

// The matrix file as the user writes it (every key: docs/format.md; docs/design.md, "The matrix
// file"). Shape only: semantic checks (unknown stages, cycles, excludes...) are rules in
// src/validate/rules/.
// Strict objects everywhere, so a typo like `[stages.x]` or `dockerfle` is an error, not ignored.

const axisValue = z.strictObject({
  /** Build args merged into every target that has this value. */
  args: argMap.optional(),
  /** Dockerfile for stages that do not name their own (e.g. the framework's Dockerfile.vllm). */
  dockerfile: dockerfile.optional(),
  /** Named contexts that are no stage, for the targets with this value: a directory, an image, an OCI layout. */
  contexts: z.record(z.string(), z.string().min(1)).optional(),
  /** How this value is written in target, group and tag names; overrides the axis label. */
  label: z.string().min(1).optional(),
  description: z.string().optional(),
});

const axis = z.strictObject({
  /** Template for the value in names: `cuda{value}` -> cuda12. */
  label: z.string().min(1).default('{value}'),
  values: z.record(z.string(), axisValue).default({}),
});

const exclude = z.object({ reason: excludeReason }).catchall(z.union([scalar, z.array(scalar).min(1)]));

// GitHub Actions users reach for `include`; matrixbake has only excludes, and an `include` list
// would otherwise read as an axis named "include".
const noInclude = z
  .custom<never>(() => false, {
    message: 'matrixbake has no [[matrix.include]]',
    params: { hint: 'list every value in the axes and drop the combinations you do not want with [[matrix.exclude]]' },
  })
  .optional();

/**
 * Args for the cells that match some axis values (`framework = "trtllm"`, `cuda = "13"`): what
 * Dynamo's build.sh picks per framework x CUDA. `stages` narrows it to those stages.
 */
const when = z.object({ args: argMap, stages: z.array(z.string().min(1)).min(1).optional() }).catchall(z.union([scalar, z.array(scalar).min(1)]));

const matrix = z.object({ exclude: z.array(exclude).default([]), include: noInclude }).catchall(axisValues);

const stage = z.strictObject({
  dockerfile: dockerfile.optional(),
  /** Files appended to the stage's Dockerfile (its own, or its axis value's): Dynamo's dev/Dockerfile.dev. */
  append: z.array(z.string().min(1)).min(1).optional(),
  /** The Dockerfile stage to build; defaults to the stage's own name. */
  target: z.string().min(1).optional(),
  /** The axes this stage varies over; `arch` is implicit (every node is multi-arch). */
  axes: z.array(z.string()).default([]),
  /** Named build context -> stage whose matching node is linked as `target:<node>`. */
  uses: z.record(z.string(), z.string()).default({}),
  /**
   * Named contexts that are no stage: a directory in the repository (`build/trtllm_wheel`), an
   * image (`docker-image://nvcr.io/nvidia/pytorch:25.10-py3`), an OCI layout (`oci-layout://dir:tag`).
   */
  contexts: z.record(z.string(), z.string().min(1)).default({}),
  /** Published stages get tags; others are intermediate (cache only). */
  publish: z.boolean().default(false),
  /** This stage's tag templates, instead of project.tags: `{registry}/vllm-openai:{version}`. */
  tags: z.array(z.string().min(1)).min(1).optional(),
  args: argMap.default({}),
  /** Bake variables passed through as build args of the same name (e.g. USER_UID). */
  variables: z.array(z.string()).default([]),
  /** Cells this stage is not built for (its own axes and the arch), like [[matrix.exclude]] for one stage. */
  exclude: z.array(exclude).default([]),
  /** Bake variables passed as build args of another name: arg -> variable (`DYNAMO_COMMIT_SHA = "GIT_SHA"`). */
  variable_args: z.record(z.string(), z.string()).default({}),
  /** Whether USE_SCCACHE gives this stage the sccache args and secrets (default: yes, with [sccache]). */
  sccache: z.boolean().optional(),
  description: z.string().optional(),
});

const project = z.strictObject({
  image: z.string().min(1),
  registry: z.string().default(''),
  context: z.string().min(1).default('.'),
  /** org.opencontainers.image.source. */
  source: z.string().optional(),
  description: z.string().optional(),
  /** Args for every target, overridden by axis values and stages. */
  args: argMap.default({}),
  /** Where composed Dockerfiles (a `dockerfile` list) are written, relative to the repo root. */
  composed_dir: z.string().min(1).default('bake/composed'),
  /** Tag templates of every published image: `{registry}/{image}:{version}-{suffix}` (the default) and its `latest-` twin. */
  tags: z.array(z.string().min(1)).min(1).optional(),
});

const cache = z.strictObject({
  registry: z.string().min(1),
  fallback: z.array(z.string().min(1)).default(['main']),
});

/** A build arg's name as a Dockerfile `ARG` spells it, or "" for an arg not passed at all (rules/sccache.ts checks it). */
const argName = z.string();

/** The args sccache's settings are passed as, in the Dockerfile's own names: Dynamo's by default. */
const sccacheArgNames = z.strictObject({
  /** The switch (`if [ "$USE_SCCACHE" = true ]`); it gets `on`. */
  use: argName.default('USE_SCCACHE'),
  bucket: argName.default('SCCACHE_BUCKET'),
  region: argName.default('SCCACHE_REGION'),
  key_prefix: argName.default('SCCACHE_S3_KEY_PREFIX'),
});

const sccache = z.strictObject({
  bucket: z.string().min(1),
  region: z.string().min(1),
  auth: z.enum(['static', 'oidc', 'none']).default('static'),
  /** SCCACHE_S3_KEY_PREFIX; defaults to the project image. */
  key_prefix: z.string().min(1).optional(),
  /** The value of the `use` arg when USE_SCCACHE is on: "true" (Dynamo), "1" (vLLM). */
  on: scalar.default('true'),
  args: sccacheArgNames.default({ use: 'USE_SCCACHE', bucket: 'SCCACHE_BUCKET', region: 'SCCACHE_REGION', key_prefix: 'SCCACHE_S3_KEY_PREFIX' }),
});

const argScope = z.strictObject({ stages: z.array(z.string().min(1)).min(1) });

const accept = z.strictObject({ key: z.string().min(1), file: z.string().min(1).optional(), contains: z.string().min(1).optional(), reason: acceptReason });
const lint = z.strictObject({ accept: z.array(accept).default([]) });

const ci = z.strictObject({
  /** Arch value -> the CI runner label its per-arch jobs run on (`arm64 = "ubuntu-24.04-arm"`). */
  runners: z.record(z.string(), z.string().min(1)).default({}),
  /** What the generated pipeline's jobs run matrixbake with (`matrixbake ci --format gitlab`); DEFAULT_CI_COMMAND when unset. */
  command: ciCommand.optional(),
});

export const matrixFileSchema = z.strictObject({
  project,
  matrix,
  axis: z.record(z.string(), axis).default({}),
  stage: z.record(z.string(), stage).refine((s) => Object.keys(s).length > 0, {
    message: '[stage] has no stages',
    params: { hint: 'define at least one [stage.<name>], e.g. [stage.base] with dockerfile = "Dockerfile"' },
  }),
  cache: cache.optional(),
  sccache: sccache.optional(),
  /** The CI fan-out (`matrixbake ci`). */
  ci: ci.optional(),
  /** Extra bake variables with their defaults, overridable at bake time. */
  variables: z.record(z.string(), scalar).default({}),
  /** Args for combinations of axis values. */
  when: z.array(when).default([]),
  /** Per build arg: the only stages it reaches, whichever key sets it (`[arg.FRAMEWORK] stages = [...]`). */
  arg: z.record(z.string(), argScope).default({}),
  /** What `matrixbake lint` is told to accept, each with its reason. */
  lint: lint.optional(),
});

/** After defaults and coercions; still keyed like the file. */
export type MatrixFile = z.output<typeof matrixFileSchema>;
