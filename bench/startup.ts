import { timedSpawn } from './compile-scale.js';

// How fast the bin starts (issue 16): the CLI run as the package's bin runs it (its shebang, so
// Node's start is included), on the repository's Dynamo matrix; beside it `--version`, which does
// no work, and Node starting with nothing to run: together they say where the time goes. The
// compile and Node's start again under the LTS Node a user most likely runs (bench/lts-node.ts).

export interface Startup {
  compile_dynamo_ms: number[];
  version_ms: number[];
  node_start_ms: number[];
  /** The same compile and Node's start under the LTS Node (bench/lts-node.ts), when there is one. */
  compile_dynamo_node24_ms?: number[];
  node24_start_ms?: number[];
}

/** n samples of each, interleaved so that a slow spell of the machine hits all alike. */
export function startupSamples(cli: string, root: string, n: number, lts?: string): Startup {
  const runs: Partial<Record<keyof Startup, () => number>> = {
    compile_dynamo_ms: () => timedSpawn(cli, ['compile', 'matrix/dynamo.toml'], root),
    version_ms: () => timedSpawn(cli, ['--version'], root),
    node_start_ms: () => timedSpawn('node', ['-e', ''], root),
    ...(lts
      ? {
          compile_dynamo_node24_ms: () => timedSpawn(lts, [cli, 'compile', 'matrix/dynamo.toml'], root),
          node24_start_ms: () => timedSpawn(lts, ['-e', ''], root),
        }
      : {}),
  };
  // The file cache, and under the LTS Node the bin's own code cache (its first run writes it): not measured.
  for (const run of Object.values(runs)) run();
  const out: Record<string, number[]> = {};
  for (let i = 0; i < n; i++) for (const [name, run] of Object.entries(runs)) (out[name] ??= []).push(run());
  return out as unknown as Startup;
}
