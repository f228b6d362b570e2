import { DEFAULT_MATRIX_TEXT, defaultMatrix } from '../default-matrix.js';
import type { FlagSpec, PositionalSpec } from '../spec.js';

// What several commands' tables share.

/** The first positional, whatever its name: a directory or a misspelt path gets a message about the file, not "unexpected argument". */
export const MATRIX = { name: 'MATRIX', default: defaultMatrix, defaultText: DEFAULT_MATRIX_TEXT, help: 'the matrix file' } as const satisfies PositionalSpec;

/** For the commands that also take targets (bake, release, promote, explain): a first positional is the matrix only if it ends in .toml. */
export const MATRIX_IF_TOML = {
  ...MATRIX,
  help: 'the matrix file; a first argument is taken for it only if it ends in .toml',
  leadsIf: '.toml',
} as const satisfies PositionalSpec;

export const VAR = {
  type: 'string',
  multiple: true,
  value: 'K=V',
  help: "set a bake variable: VERSION, REGISTRY, CACHE_REGISTRY, BRANCH, PUSH_CACHE, USE_SCCACHE, GIT_SHA, USER_UID, USER_GID, and the matrix's [variables] (repeatable)",
} as const satisfies FlagSpec;

export const BUILDX_ARGS = { name: 'BUILDX_ARGS', help: 'passed to docker buildx bake as they are (e.g. -- --progress=plain)' } as const;
