import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../src/run/exec.js';
import { parseHistoryLs } from '../src/run/history.js';
import { startBuildkitd, type Buildkitd } from '../test/support/buildkitd.js';
import { rawjsonVertices } from '../test/support/cli-build.js';
import { startTwoNode, type TwoNode } from '../test/support/two-node.js';
import { cleanEnv } from './repo.js';

// Builders of several nodes (docs/builders.md). One repetition: the demo's `bake all` for both
// platforms as `make demo` runs it, cold, on one node that builds both against two nodes (one
// pinned to linux/amd64, one to linux/arm64), side by side, in alternating order; and one
// CPU-bound RUN for arm64 (QEMU) against amd64 (native) on the one node. Fresh daemons each time:
// nothing to reuse. Both nodes run on this machine and emulate arm64 alike, so the two-node
// figure can show what spreading the work costs, never a speed-up.

export interface NodesRep {
  one_node_ms: number;
  two_node_ms: number;
  /** Of the two-node bake: node -> how many build records it holds (one per per-arch target). */
  two_node_records: Record<string, number>;
  /** The RUN's own time (BuildKit's started/completed), arm64 under QEMU and amd64 native. */
  emulated_step_ms: number;
  native_step_ms: number;
}

interface NodesBench {
  root: string;
  cli: string;
  buildx: Command;
  /** Unique per repetition: registry repositories no earlier run wrote. */
  id: string;
  /** Which builder goes first; alternated so that drift over the run falls on both. */
  twoFirst: boolean;
  quick: boolean;
  log: (line: string) => void;
}

/** Iterations of the CPU-bound loop: about 2 s native here, so QEMU's factor is not lost in noise. */
const LOOP = 600_000;

export async function nodesRep(b: NodesBench): Promise<NodesRep> {
  const bake = (builder: string, name: string) => {
    const ns = `localhost:5000/bench-${b.id}/${name}`;
    const args = [b.cli, 'bake', 'matrix/demo.toml', b.quick ? 'runtime-vllm-cuda12' : 'all', '--push'];
    return timed(b, builder, [...args, '--var', `REGISTRY=${ns}`, '--var', `CACHE_REGISTRY=${ns}/cache`, '--var', 'PUSH_CACHE=true']);
  };
  let one: Buildkitd | undefined;
  let two: TwoNode | undefined;
  try {
    one = await startBuildkitd();
    two = await startTwoNode();
    const order = b.twoFirst ? (['two', 'one'] as const) : (['one', 'two'] as const);
    const ms: Record<'one' | 'two', number> = { one: 0, two: 0 };
    for (const which of order) ms[which] = bake(which === 'one' ? one.builder : two.builder, `${which}-node`);
    const records = parseHistoryLs(
      run(b, b.buildx.file, [...b.buildx.args, 'history', 'ls', '--builder', two.builder, '--format', 'json', '--no-trunc']).stdout,
    );
    const two_node_records: Record<string, number> = {};
    for (const r of records) two_node_records[r.ref.split('/')[1]!] = (two_node_records[r.ref.split('/')[1]!] ?? 0) + 1;
    const step = (platform: string) => cpuStep(b, one!, platform);
    const [first, second] = b.twoFirst ? (['linux/arm64', 'linux/amd64'] as const) : (['linux/amd64', 'linux/arm64'] as const);
    const steps = { [first]: step(first), [second]: step(second) } as Record<string, number>;
    b.log(`  step: arm64 ${steps['linux/arm64']!.toFixed(0)} ms, amd64 ${steps['linux/amd64']!.toFixed(0)} ms`);
    return { one_node_ms: ms.one, two_node_ms: ms.two, two_node_records, emulated_step_ms: steps['linux/arm64']!, native_step_ms: steps['linux/amd64']! };
  } finally {
    await one?.stop();
    await two?.stop();
  }
}

/** `matrixbake bake ...` in this repository on `builder`: its wall time. */
function timed(b: NodesBench, builder: string, args: string[]): number {
  const t = performance.now();
  run(b, 'node', args, builder);
  const ms = performance.now() - t;
  b.log(`  ${(ms / 1000).toFixed(1)} s  matrixbake ${args.slice(1, 5).join(' ')} (builder ${builder})`);
  return ms;
}

/** One RUN of busybox sh arithmetic for `platform`, never from cache: its time as BuildKit records it. */
function cpuStep(b: NodesBench, kit: Buildkitd, platform: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'mb-bench-step-'));
  try {
    for (const arch of ['amd64', 'arm64']) {
      mkdirSync(join(dir, arch));
      copyFileSync(join(b.root, `dockerfiles/demo/busybox/${arch}/busybox`), join(dir, arch, 'busybox'));
    }
    const loop = b.quick ? LOOP / 100 : LOOP;
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'ARG TARGETARCH',
        'COPY ${TARGETARCH}/busybox /bin/busybox',
        'ARG NONCE',
        `RUN ["/bin/busybox", "sh", "-c", "i=0; s=0; while [ $i -lt ${loop} ]; do s=$(( (s + i*i) % 1000003 )); i=$((i+1)); done; echo $s $NONCE"]`,
        '',
      ].join('\n'),
    );
    const args = ['build', '--builder', kit.builder, '--platform', platform, '--progress=rawjson', '--build-arg', `NONCE=${b.id}-${platform}`];
    const r = run(b, b.buildx.file, [...b.buildx.args, ...args, '--output', 'type=cacheonly', dir]);
    const v = rawjsonVertices(r.stderr).find((x) => x.name.includes('RUN ') && x.started && x.completed && !x.cached);
    if (!v) throw new Error(`the ${platform} RUN did not run (or ran from cache): no started/completed vertex in its progress`);
    return Date.parse(v.completed!) - Date.parse(v.started!);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(b: NodesBench, file: string, args: string[], builder?: string) {
  const r = spawnSync(file, args, { cwd: b.root, encoding: 'utf8', env: cleanEnv(builder ? { BUILDX_BUILDER: builder } : {}), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${[file, ...args].join(' ')} exited ${r.status}:\n${r.stderr.split('\n').slice(-20).join('\n')}`);
  return r;
}
