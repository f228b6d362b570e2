import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bakeFailure } from '../../../src/run/bake-failure.js';
import { builderArg, downNodes, parseInspect, showNode } from '../../../src/run/builder-nodes.js';
import { formatTable } from '../../../src/run/format-report.js';
import { buildRef, parseHistoryLs, recordOf } from '../../../src/run/history.js';
import { readBakeMetadata } from '../../../src/run/metadata.js';
import { bakeReport } from '../../../src/run/report.js';
import type { Run } from '../../../src/run/runs.js';
import { compileOk } from '../../support/compile.js';

// A builder of two nodes (`scripts/services.sh up-two-node`: one buildkitd pinned to linux/amd64,
// one to linux/arm64, appended to one buildx builder). The fixtures are real, from buildx v0.36.1
// and BuildKit v0.32.2: `docker buildx inspect` with both nodes up and with the arm64 one stopped,
// `history ls` lines of a multi-platform target built across both nodes (base-cuda12, busybox:
// `bake --one-bake base-cuda12`) and of one per-arch twin on each, and the metadata file of that
// bake. test/e2e/two-node.test.ts builds the same on real daemons.

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/two-node/${name}`, import.meta.url), 'utf8');
const SOCK = 'unix:///root/.local/share/matrixbake/state/two-node';

describe("a builder's nodes", () => {
  it('reads `docker buildx inspect`: each node, its status and the platforms --platform fixed', () => {
    expect(parseInspect(fixture('inspect-up.txt'))).toEqual({
      name: 'matrixbake-two',
      driver: 'remote',
      nodes: [
        { name: 'matrixbake-two-amd64', endpoint: `${SOCK}/amd64.sock`, status: 'running', platforms: ['linux/amd64'] },
        { name: 'matrixbake-two-arm64', endpoint: `${SOCK}/arm64.sock`, status: 'running', platforms: ['linux/arm64'] },
      ],
    });
    const down = parseInspect(fixture('inspect-arm64-down.txt'))!;
    expect(down.nodes.map((n) => [n.name, n.status])).toEqual([
      ['matrixbake-two-amd64', 'running'],
      ['matrixbake-two-arm64', 'inactive'],
    ]);
    expect(downNodes(down).map(showNode)).toEqual([`matrixbake-two-arm64 (linux/arm64, ${SOCK}/arm64.sock)`]);
    expect(downNodes(parseInspect(fixture('inspect-up.txt'))!)).toEqual([]);
  });

  it('counts an inactive node as down only where buildx cannot start it itself (remote), and one it could not load everywhere', () => {
    const text = (driver: string, node: string) => `Name:   b\nDriver: ${driver}\n\nNodes:\n${node}\n`;
    const stopped = 'Name:     b0\nEndpoint: desktop-linux\nStatus:   inactive\nPlatforms: linux/amd64*\n';
    expect(downNodes(parseInspect(text('docker-container', stopped))!)).toEqual([]);
    expect(downNodes(parseInspect(text('remote', stopped))!).map((n) => n.name)).toEqual(['b0']);
    const broken = 'Name:     b0\nEndpoint: kube\nError:    pods "b0" is forbidden\n';
    expect(downNodes(parseInspect(text('kubernetes', broken))!)).toEqual([
      { name: 'b0', endpoint: 'kube', status: 'error', error: 'pods "b0" is forbidden', platforms: [] },
    ]);
    expect(parseInspect('ERROR: no builder "nope" found\n')).toBeUndefined();
  });

  it('are those of the builder `-- --builder X` names, over BUILDX_BUILDER: buildx builds there', () => {
    expect(builderArg(['-f', 'b.hcl', '--set', 'x.platform=linux/amd64', '--builder', 'matrixbake-two', 'all'])).toBe('matrixbake-two');
    expect(builderArg(['-f', 'b.hcl', '--builder=matrixbake-two'])).toBe('matrixbake-two');
    expect(builderArg(['--builder', 'one', '--builder=two'])).toBe('two');
    expect(builderArg(['-f', 'b.hcl', 'all'])).toBeUndefined();
  });
});

describe('the build records of a target built on two nodes', () => {
  const records = parseHistoryLs(fixture('history-ls.jsonl'));
  const metadata = readBakeMetadata(new URL('../../fixtures/two-node/metadata-one-bake.json', import.meta.url).pathname);

  it("has the first node's ref in the metadata, and a record with that id on each node", () => {
    expect(buildRef(metadata['base-cuda12']!)!.ref).toBe('matrixbake-two/matrixbake-two-amd64/d3qm7pequf56pgalhcaf68614');
    expect(records.filter((r) => r.ref.endsWith('/d3qm7pequf56pgalhcaf68614')).map((r) => r.ref.split('/')[1])).toEqual([
      'matrixbake-two-amd64',
      'matrixbake-two-arm64',
    ]);
  });

  it("sums both nodes' records, from the first start to the last end, and names both nodes", () => {
    expect(recordOf(buildRef(metadata['base-cuda12']!)!.ref, records)).toEqual({
      ok: true,
      steps: 20,
      cached: 6,
      // 12:51:01.447651903 (arm64 started) to 12:51:01.711103479 (arm64 ended)
      durationMs: 264,
      nodes: ['matrixbake-two-amd64', 'matrixbake-two-arm64'],
    });
    // A per-arch twin is one platform: one node, one record.
    expect(recordOf('matrixbake-two/matrixbake-two-arm64/kjcq1nvarlspa4bqzki10e66m', records)).toMatchObject({
      steps: 19,
      cached: 2,
      nodes: ['matrixbake-two-arm64'],
    });
    // The same id on another builder is another build.
    expect(recordOf('matrixbake/matrixbake0/d3qm7pequf56pgalhcaf68614', records)).toBeUndefined();
  });

  it('shows a NODES column once the report holds more than one node', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const two = new Map(Object.entries(metadata).map(([t, m]) => [t, recordOf(buildRef(m)!.ref, records)!]));
    const report = bakeReport(plan, { targets: ['base-cuda12', 'busybox'], metadata, records: two, progress: new Map() });
    const table = formatTable(report).split('\n');
    expect(table[0]!.split(/\s+/)).toEqual(['TARGET', 'PLATFORMS', 'NODES', 'STATUS', 'TIME', 'STEPS', 'CACHED', 'IMAGE', 'DIGEST']);
    expect(table[1]!.split(/\s{2,}/).slice(0, 3)).toEqual(['base-cuda12', 'linux/amd64,linux/arm64', 'matrixbake-two-amd64,matrixbake-two-arm64']);
    expect(report.targets[0]!.nodes).toEqual(['matrixbake-two-amd64', 'matrixbake-two-arm64']);
    const one = new Map([...two].map(([t, r]) => [t, { ...r, nodes: ['matrixbake0'] }]));
    expect(formatTable(bakeReport(plan, { targets: ['base-cuda12', 'busybox'], metadata, records: one, progress: new Map() }))).not.toMatch(/NODES/);
  });
});

describe('a node that is down', () => {
  const run: Run = { level: 0, targets: ['busybox-amd64', 'busybox-arm64'], sets: () => [], links: [], needs: [] };
  const planned = ['busybox-amd64', 'busybox-arm64', 'base-cuda12-amd64', 'base-cuda12-arm64'];
  const info = parseInspect(fixture('inspect-arm64-down.txt'))!;
  const down = { builder: info.name, nodes: downNodes(info) };

  it('is named in one line with the targets not built, when buildx waited for it (stopped: its socket is gone)', async () => {
    const compiled = await compileOk('matrix/demo.toml');
    // buildx's output of `bake` on matrixbake-two with the arm64 buildkitd stopped (SIGTERM).
    const stderr = ['#2 [internal] waiting for connection', '#2 ERROR: context deadline exceeded', 'ERROR: context deadline exceeded', ''].join('\n');
    const f = bakeFailure(compiled, { run, exitCode: 1, stderr, raw: stderr, metadata: {} }, planned, {}, 'restart', down);
    expect(f.error.message).toBe(
      `builder node matrixbake-two-arm64 (linux/arm64, ${SOCK}/arm64.sock) is down (level 0: context deadline exceeded): 4 of 4 targets not built (base-cuda12-amd64, base-cuda12-arm64, busybox-amd64, busybox-arm64)`,
    );
    expect(f.error.hint).toMatch(/docker buildx create --name matrixbake-two --leave --node matrixbake-two-arm64/);
    expect(f.outcome).toEqual({ finished: new Set(), failed: [], daemonLost: false });
  });

  it('is named when buildx could not dial it (killed: its socket is left): nothing started, so nothing was cut off', async () => {
    const compiled = await compileOk('matrix/demo.toml');
    const stderr = `ERROR: failed to dial gRPC: rpc error: code = Unavailable desc = rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /root/.local/share/matrixbake/state/two-node/arm64.sock: connect: connection refused"\n`;
    const metadata = { 'busybox-amd64': {}, 'busybox-arm64': {} };
    const later: Run = { ...run, level: 1, targets: ['base-cuda12-amd64', 'base-cuda12-arm64'] };
    const f = bakeFailure(compiled, { run: later, exitCode: 1, stderr, raw: stderr, metadata: {} }, planned, metadata, 'restart', down);
    expect(f.error.message).toMatch(
      /^builder node matrixbake-two-arm64 \(linux\/arm64, .*\) is down \(level 1: rpc error: .*connection refused"\): 2 of 4 targets not built \(base-cuda12-amd64, base-cuda12-arm64\)$/,
    );
    expect(f.outcome.daemonLost).toBe(false);
    // Lost while it built: what was running is interrupted.
    const eof = 'ERROR: target base-cuda12-arm64: failed to solve: Unavailable: error reading from server: EOF\n';
    const cut = bakeFailure(compiled, { run: later, exitCode: 1, stderr: eof, raw: eof, metadata: {} }, planned, metadata, 'restart', down);
    expect(cut.error.message).toMatch(/is down \(level 1: error reading from server: EOF\): 2 of 4 targets interrupted /);
    expect(cut.outcome.daemonLost).toBe(true);
  });

  it('is not blamed for a target that failed on its own', async () => {
    const compiled = await compileOk('matrix/demo.toml');
    const stderr = 'ERROR: target busybox-amd64: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3\n';
    const f = bakeFailure(compiled, { run, exitCode: 1, stderr, raw: stderr, metadata: {} }, planned, {}, 'restart', down);
    expect(f.error.message).toBe('build failed in target busybox-amd64 (level 0) (docker buildx bake exited with 1)');
  });
});
