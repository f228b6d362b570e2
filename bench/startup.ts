import { timedSpawn } from './compile-scale.js';

// How fast the bin starts (issue 16): the CLI run as the package's bin runs it (its shebang, so
// Node's start is included), on the repository's Dynamo matrix; beside it `--version`, which does
// no work, and Node starting with nothing to run: together they say where the time goes.

export interface Startup {
  compile_dynamo_ms: number[];
  version_ms: number[];
  node_start_ms: number[];
}

/** n samples of each, interleaved so that a slow spell of the machine hits all three alike. */
export function startupSamples(cli: string, root: string, n: number): Startup {
  const runs = {
    compile_dynamo_ms: () => timedSpawn(cli, ['compile', 'matrix/dynamo.toml'], root),
    version_ms: () => timedSpawn(cli, ['--version'], root),
    node_start_ms: () => timedSpawn('node', ['-e', ''], root),
  };
  for (const run of Object.values(runs)) run(); // the file cache, not measured
  const out: Startup = { compile_dynamo_ms: [], version_ms: [], node_start_ms: [] };
  for (let i = 0; i < n; i++) for (const [name, run] of Object.entries(runs)) out[name as keyof Startup].push(run());
  return out;
}
