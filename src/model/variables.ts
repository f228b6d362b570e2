// Bake variables every emitted file declares: users override them at bake time
// (`VERSION=v1.2 make bake`, `--set`, or the environment) without recompiling.

export interface BuiltinVariable {
  description: string;
  kind: 'string' | 'bool';
}

export const BUILTIN_VARIABLES: Record<string, BuiltinVariable> = {
  REGISTRY: { kind: 'string', description: 'registry and namespace the tags point at' },
  VERSION: { kind: 'string', description: 'tag prefix: <VERSION>-<framework>-<stage>-<axes>' },
  CACHE_REGISTRY: { kind: 'string', description: 'repository holding the registry build cache' },
  BRANCH: { kind: 'string', description: 'branch whose cache refs are written and read first' },
  PUSH_CACHE: { kind: 'bool', description: 'export the registry cache (cache-to)' },
  USE_SCCACHE: { kind: 'bool', description: 'pass sccache args and AWS secrets to compiling stages' },
  GIT_SHA: { kind: 'string', description: 'org.opencontainers.image.revision' },
  USER_UID: { kind: 'string', description: 'local-dev: UID of the dynamo user (match the host user)' },
  USER_GID: { kind: 'string', description: 'local-dev: GID of the dynamo user' },
};
