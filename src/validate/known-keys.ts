// The keys each table of a matrix accepts, by dot path pattern (`*` = a name the user chooses),
// for did-you-mean and for listing what is allowed. Mirrors src/model/schema.ts.

export const KNOWN_KEYS: Record<string, string[]> = {
  '': ['project', 'matrix', 'axis', 'stage', 'cache', 'sccache', 'ci', 'variables', 'when', 'arg', 'lint'],
  'arg.*': ['stages'],
  lint: ['accept'],
  project: ['image', 'registry', 'context', 'source', 'description', 'args', 'composed_dir', 'tags'],
  'axis.*': ['label', 'values'],
  'axis.*.values.*': ['args', 'dockerfile', 'contexts', 'label', 'description'],
  'stage.*': [
    'dockerfile',
    'append',
    'target',
    'axes',
    'uses',
    'contexts',
    'publish',
    'tags',
    'args',
    'variables',
    'variable_args',
    'exclude',
    'sccache',
    'description',
  ],
  cache: ['registry', 'fallback'],
  sccache: ['bucket', 'region', 'auth', 'key_prefix', 'on', 'args'],
  'sccache.args': ['use', 'bucket', 'region', 'key_prefix'],
  ci: ['runners', 'command'],
};

// What users of neighbouring tools (compose, bake, GitHub Actions) write, and what it is here:
// the key to use instead, or how the idea is spelled in a matrix.
export interface Synonym {
  key?: string;
  hint?: string;
}

const USES: Synonym = { key: 'uses', hint: 'a stage builds on another with uses = { <named context> = "<stage>" }' };
const ARGS: Synonym = { key: 'args' };

export const SYNONYMS: Record<string, Record<string, Synonym>> = {
  '': {
    platforms: { hint: 'arches are an axis: arch = ["amd64", "arm64"] under [matrix]' },
    platform: { hint: 'arches are an axis: arch = ["amd64", "arm64"] under [matrix]' },
    target: { key: 'stage', hint: 'each [stage.<name>] becomes one bake target per combination of its axes' },
    targets: { key: 'stage', hint: 'each [stage.<name>] becomes one bake target per combination of its axes' },
    group: { hint: 'groups are generated: all, default, one per axis value, per stage, and framework-stage' },
    exclude: { hint: 'excludes go under the matrix: [[matrix.exclude]]' },
    include: { hint: 'matrixbake has no include: list the values in the axes and drop combinations with [[matrix.exclude]]' },
  },
  project: { name: { key: 'image' }, repository: { key: 'image' }, repo: { key: 'image' }, build_args: ARGS, 'build-args': ARGS },
  'stage.*': {
    depends_on: USES,
    depends: USES,
    needs: USES,
    deps: USES,
    from: USES,
    file: { key: 'dockerfile' },
    build_args: ARGS,
    'build-args': ARGS,
    buildargs: ARGS,
    arg: ARGS,
    platforms: { hint: 'arches are an axis of the whole matrix (arch = [...] under [matrix]); every stage is built for each' },
    context: { hint: 'the build context is project.context, shared by every stage; named contexts are uses' },
  },
  'axis.*': Object.fromEntries(
    ['dockerfile', 'args', 'contexts', 'description'].map((k) => [k, { hint: `${k} belongs to one value: [axis.<name>.values.<value>] ${k} = ...` }]),
  ),
  cache: { mode: { hint: 'cache-to is always mode=max (with ignore-error, image-manifest and oci-mediatypes): remove it' } },
  ci: { 'runs-on': { key: 'runners', hint: '[ci.runners] names the runner of each arch: amd64 = "ubuntu-24.04"' } },
  'axis.*.values.*': { build_args: ARGS, 'build-args': ARGS, arg: ARGS, file: { key: 'dockerfile' } },
};

/** The pattern of a path: the names the user chose under axis and stage become `*`. */
export function pathPattern(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (i % 2 === 1 && (path[0] === 'axis' || path[0] === 'stage' || path[0] === 'arg') ? '*' : String(p))).join('.');
}
