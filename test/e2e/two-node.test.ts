import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHistoryLs } from '../../src/run/history.js';
import type { BakeReport } from '../../src/run/report.js';
import { cliRunner } from '../support/cli-build.js';
import { platforms, readFile } from '../support/registry.js';
import { requireSbomGenerator } from '../support/sbom.js';
import { requireServices } from '../support/services.js';
import { startTwoNode, type TwoNode } from '../support/two-node.js';

// bake, levels, release and the summary on a builder of two nodes (test/support/two-node.ts: two
// private buildkitds, one pinned to linux/amd64 and one to linux/arm64, one buildx builder),
// with the project's registry on localhost:5000 under a namespace of this run. Then one node
// stops: matrixbake names it and what it could not build, and builds without it what needs only
// the other. Small targets of the demo, so it costs about a minute.

const HAVE = requireServices();
const SBOM = HAVE ? requireSbomGenerator() : undefined;
const run = `e2e-two-${Date.now().toString(36)}`;
const REGISTRY = `localhost:5000/${run}`;
const vars = ['--var', `REGISTRY=${REGISTRY}`, '--var', `CACHE_REGISTRY=${REGISTRY}/cache`, '--var', 'PUSH_CACHE=true'];
const BUILDX = join(homedir(), '.docker/cli-plugins/docker-buildx');
const SLOW = 10 * 60_000;
const TWINS = ['busybox', 'base-cuda12', 'wheel-cuda12', 'backend-vllm-cuda12', 'runtime-vllm-cuda12'];

describe.runIf(HAVE && SBOM)('a builder of two nodes, one per arch', () => {
  let two: TwoNode;
  let cli: ReturnType<typeof cliRunner>;
  let levels: BakeReport;
  const matrixbake = (args: string[]) => cli(args, { BUILDX_BUILDER: two.builder });
  const json = (r: { status: number; stdout: string; stderr: string }) => {
    if (!r.stdout.trim().startsWith('{')) throw new Error(`no report (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
    return JSON.parse(r.stdout) as BakeReport;
  };
  /** The builder's build records, both nodes' (`buildx history ls` asks each). */
  const records = async () =>
    parseHistoryLs((await execa(BUILDX, ['history', 'ls', '--builder', two.builder, '--format', 'json', '--no-trunc'], { stdin: 'ignore' })).stdout);

  beforeAll(async () => {
    two = await startTwoNode();
    cli = cliRunner();
    // `make demo`'s way (levels, --push, PUSH_CACHE), narrowed to one published image.
    const r = matrixbake(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--push', '--json', ...vars]);
    levels = json(r);
    if (r.status !== 0) throw new Error(`bake failed:\n${r.stderr.slice(-3000)}`);
  }, SLOW);
  afterAll(async () => two?.stop());

  it('builds each arch on its own node, and the summary says which node built what', async () => {
    const built = Object.fromEntries(levels.targets.map((t) => [t.target, t]));
    expect(Object.keys(built).sort()).toEqual(TWINS.flatMap((t) => [`${t}-amd64`, `${t}-arm64`]).sort());
    for (const t of levels.targets) {
      const node = two.nodes[t.target.endsWith('-arm64') ? 'arm64' : 'amd64'].name;
      expect([t.target, t.ref?.split('/')[1], t.nodes]).toEqual([t.target, node, [node]]);
      expect(t.steps, t.target).toBeGreaterThan(0);
    }
    // Each twin's record is on its arch's node. (A node may hold one more: a bake run once more
    // after the registry refused a push, or a cache export tried again.)
    const refs = new Set((await records()).map((r) => r.ref));
    for (const t of levels.targets) expect(refs.has(t.ref!), t.ref).toBe(true);
    // The merged tag holds both arches, each built for its own.
    expect((await platforms(`${run}/dynamo`, 'latest-vllm-runtime-cuda12')).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    expect(await readFile(`${run}/dynamo`, 'latest-vllm-runtime-cuda12', 'linux/arm64', '/opt/demo/consumed/base/base.id')).toMatch(/ arch=arm64 /);
  });

  it('counts the steps of a multi-platform target from the records of both nodes', async () => {
    const before = new Set((await records()).map((r) => r.ref));
    const report = json(matrixbake(['bake', 'matrix/demo.toml', 'base-cuda12', '--one-bake', '--json', ...vars, '--var', 'BUILD_NONCE=one-bake']));
    const base = report.targets.find((t) => t.target === 'base-cuda12')!;
    expect(base.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(base.nodes).toEqual([two.nodes.amd64.name, two.nodes.arm64.name]);
    // buildx wrote the first node's ref; the other node's record has the same id.
    const id = base.ref!.split('/')[2]!;
    const mine = (await records()).filter((r) => !before.has(r.ref) && r.ref.endsWith(`/${id}`));
    expect(mine.map((r) => r.ref.split('/')[1]).sort()).toEqual([two.nodes.amd64.name, two.nodes.arm64.name]);
    expect(base.steps).toBe(mine[0]!.total_steps + mine[1]!.total_steps);
    expect(base.cachedSteps).toBe(mine[0]!.cached_steps + mine[1]!.cached_steps);
  });

  it(
    'releases: each twin pushed by digest from its node, merged into one tag',
    () => {
      const r = matrixbake([
        'release',
        'matrix/demo.toml',
        'runtime-vllm-cuda12',
        '--registry',
        `${REGISTRY}/staging`,
        '--version',
        'two-node',
        '--sbom-generator',
        SBOM!,
        ...vars,
      ]);
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^runtime-vllm-cuda12 .*${REGISTRY}/staging/dynamo:two-node-vllm-runtime-cuda12 .* sha256:[0-9a-f]{64}$`, 'm'));
    },
    SLOW,
  );

  it(
    'names the node that is down and the targets it kept from building, then builds what needs only the other node',
    async () => {
      // Killed: its socket stays, so buildx's dial is refused at once (a stopped daemon's socket
      // is gone, and buildx waits 20 s for it: the unit tests have that message).
      await two.nodes.arm64.kit.kill();
      // Named by `-- --builder`, with BUILDX_BUILDER naming another builder whose one node is up:
      // the node that is down is looked for where buildx built.
      const solo = `${two.builder}-solo`;
      await execa(BUILDX, ['create', '--name', solo, '--driver', 'remote', `unix://${two.nodes.amd64.kit.sock}`], { stdin: 'ignore' });
      const r = cli(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--json', ...vars, '--var', 'BUILD_NONCE=node-down', '--', '--builder', two.builder], {
        BUILDX_BUILDER: solo,
      });
      await execa(BUILDX, ['rm', solo], { stdin: 'ignore', reject: false });
      expect(r.status).not.toBe(0);
      const last = r.stderr.trimEnd().split('\n').at(-1)!;
      expect(last).toMatch(
        new RegExp(
          `^matrixbake: builder node ${two.nodes.arm64.name} \\(linux/arm64, unix://${two.nodes.arm64.kit.sock}\\) is down \\(level 0: .+\\): 10 of 10 targets not built \\(backend-vllm-cuda12-amd64, .+ and 7 more\\) \\(hint: start its buildkitd again .*--leave --node ${two.nodes.arm64.name}`,
        ),
      );
      expect(r.stderr.split('\n').filter((l) => l.startsWith('matrixbake: builder node'))).toHaveLength(1);
      expect(new Set(json(r).targets.map((t) => t.status))).toEqual(new Set(['not built']));

      // amd64 alone needs only the node that is up; the summary says why it has no step counts.
      const amd64 = matrixbake(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--json', '--set', '*.platform=linux/amd64', ...vars]);
      expect(amd64.status, amd64.stderr.slice(-3000)).toBe(0);
      const report = json(amd64);
      expect(report.targets.map((t) => [t.target, t.status === 'built' || t.status === 'cached'])).toEqual(TWINS.map((t) => [`${t}-amd64`, true]).sort());
      expect(report.stepsUnavailable).toBe(
        `builder node ${two.nodes.arm64.name} (linux/arm64, unix://${two.nodes.arm64.kit.sock}) is down, and buildx history reads every node of a builder`,
      );

      // Started again on its state: the same bake builds.
      await two.nodes.arm64.kit.restart();
      const again = matrixbake(['bake', 'matrix/demo.toml', 'runtime-vllm-cuda12', '--json', ...vars, '--var', 'BUILD_NONCE=node-down']);
      expect(again.status, again.stderr.slice(-3000)).toBe(0);
      expect(json(again).targets.every((t) => t.nodes?.length === 1)).toBe(true);
    },
    SLOW,
  );
});
