import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { daemonLost } from '../../../src/run/buildx-errors.js';
import { buildRef, parseHistoryLs, type RecordResult } from '../../../src/run/history.js';
import { progressVertices, targetProgress } from '../../../src/run/progress.js';
import { progressRenderer } from '../../../src/run/progress-render.js';
import { acceptsWarning } from '../../../src/lint/accept.js';
import { finishedTargets } from '../../../src/run/bake-stderr.js';
import { formatTable } from '../../../src/run/format-report.js';
import { bakeReport } from '../../../src/run/report.js';
import { compileOk } from '../../support/compile.js';

// The summary after a bake, from what the bake itself left: the progress buildx streamed as it
// built (rawjson, drawn as plain text on the terminal) says which Dockerfile steps came from cache
// and which cache exports failed; one `buildx history ls` gives each record's step counts and
// times. The fixtures are real: two progress streams from a bench build, and three lines of
// `buildx history ls --format json`. test/e2e/demo.test.ts checks the counts live.

const record = (name: string) => readFileSync(new URL(`../../fixtures/rawjson/${name}.jsonl`, import.meta.url), 'utf8');
const historyLs = readFileSync(new URL('../../fixtures/history-ls.jsonl', import.meta.url), 'utf8');

describe('the progress of a build', () => {
  it('tells a rebuild from a reuse by the Dockerfile steps', () => {
    expect(targetProgress(progressVertices(record('base-cached')), ['base-cuda12']).get('base-cuda12')).toEqual({
      instructions: 4,
      instructionsCached: 4,
      cacheErrors: [],
    });
    const wheel = targetProgress(progressVertices(record('wheel-cache-export-failed')), ['wheel-cuda12']).get('wheel-cuda12')!;
    expect(wheel.instructionsCached).toBeLessThan(wheel.instructions);
  });

  it('finds the cache export the registry refused, which did not fail the build, and no other error', () => {
    // The importer's "not found" for a first build is an error too, but not a lost cache.
    expect(targetProgress(progressVertices(record('wheel-cache-export-failed')), ['wheel-cuda12']).get('wheel-cuda12')!.cacheErrors).toEqual([
      expect.stringMatching(/^error writing manifest blob: .*localhost:5099/),
    ]);
  });

  it("draws rawjson as buildx's plain progress, and reads back the same from it", () => {
    const render = progressRenderer();
    const text = record('base-cached')
      .split('\n')
      .map((l) => render.line(l))
      .join('');
    expect(text).toMatch(/^#1 /);
    expect(text.match(/^#\d+ CACHED$/gm)).toHaveLength(4);
    expect(text).not.toMatch(/^\{/m);
    expect(targetProgress(progressVertices(text), ['base-cuda12']).get('base-cuda12')).toEqual({ instructions: 4, instructionsCached: 4, cacheErrors: [] });
  });

  it('drops the BuildKit warnings the matrix accepted on purpose, and only those', async () => {
    // A warning as buildx's rawjson carries it (base64), from a bake of matrix/demo.toml.
    const warning = (short: string) => JSON.stringify({ warnings: [{ vertex: 'sha256:4f30', level: 1, short: Buffer.from(short).toString('base64') }] });
    const prefix = 'SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "SCCACHE_S3_KEY_PREFIX") (line 41)';
    const other = 'SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "API_TOKEN") (line 9)';
    const { plan } = await compileOk('matrix/demo.toml');
    const render = progressRenderer((w) => acceptsWarning(plan.matrix.lintAccept, w));
    expect(render.line(warning(prefix))).toBe('');
    expect(render.line(warning(other))).toBe(`#1 sha256:4f30\n#1 WARN: ${other}\n`);
    expect(progressRenderer().line(warning(prefix))).toMatch(/WARN: SecretsUsedInArgOrEnv: .*SCCACHE_S3_KEY_PREFIX/);
    // An accepted lint finding (no `check.` key) does not quiet BuildKit's rule of the same text.
    expect(acceptsWarning([{ index: 0, key: 'arg-unused', contains: 'SCCACHE_S3_KEY_PREFIX', reason: 'r' }], prefix)).toBe(false);
  });

  it('in a bake of several targets, counts a step for the target buildx names before it', () => {
    const plain = [
      '#5 [runtime-vllm-cuda12 runtime 2/8] COPY --from=dynamo-wheels /a /b',
      '#5 CACHED',
      '#6 [backend-vllm-cuda12 backend-build 1/2] RUN make',
      '#6 DONE 1.2s',
      '#7 [backend-vllm-cuda12] exporting cache to registry',
      '#7 ERROR: connection refused',
    ].join('\n');
    const p = targetProgress(progressVertices(plain), ['runtime-vllm-cuda12', 'backend-vllm-cuda12']);
    expect(p.get('runtime-vllm-cuda12')).toEqual({ instructions: 1, instructionsCached: 1, cacheErrors: [] });
    expect(p.get('backend-vllm-cuda12')).toEqual({ instructions: 1, instructionsCached: 0, cacheErrors: ['connection refused'] });
  });
});

describe('the build records', () => {
  it('reads `buildx history ls --format json`, and passes over what is not a record', () => {
    const records = parseHistoryLs(`${historyLs}WARNING: something\n{"ref": 3}\n`);
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ ref: 'e1/e10/dtrsbg5s6qoogv86q92ndeni7', total_steps: 12, cached_steps: 1 });
  });

  it('reads the build ref buildx writes into the metadata file', () => {
    expect(buildRef({ 'buildx.build.ref': 'matrixbake/matrixbake0/w0rk8vbgplfmffb4pb6yp4jmv' })).toEqual({
      builder: 'matrixbake',
      ref: 'matrixbake/matrixbake0/w0rk8vbgplfmffb4pb6yp4jmv',
    });
    expect(buildRef({})).toBeUndefined();
    expect(buildRef({ 'buildx.build.ref': 'no-slashes' })).toBeUndefined();
  });
});

describe('a bake that stopped', () => {
  it("knows buildkitd went away, in both of buildx's spellings, and nothing else", () => {
    expect(daemonLost('ERROR: target ci-sglang-cuda12: failed to solve: Unavailable: error reading from server: EOF')).toBe('error reading from server: EOF');
    expect(daemonLost('ERROR: target x: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF')).toBe(
      'error reading from server: EOF',
    );
    expect(daemonLost('ERROR: target x: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3')).toBeUndefined();
  });

  it("reads which targets finished from buildx's progress", () => {
    const progress = [
      '#30 [busybox] resolving provenance for metadata file',
      '#30 DONE 0.0s',
      '#31 [base-cuda13 demo-base 1/1] RUN sleep 8',
      '#34 [base-cuda13] resolving provenance for metadata file',
    ].join('\n');
    expect([...finishedTargets(progress, ['all'])].sort()).toEqual(['base-cuda13', 'busybox']);
    // One target in a bake: buildx does not prefix its progress.
    expect([...finishedTargets('#9 resolving provenance for metadata file', ['wheel-cuda12'])]).toEqual(['wheel-cuda12']);
    expect([...finishedTargets('#9 resolving provenance for metadata file', ['a', 'b'])]).toEqual([]);
  });

  it('reports each target as built, cached, failed, interrupted or not built', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const [first] = parseHistoryLs(historyLs);
    const records = new Map<string, RecordResult>([
      ['base-cuda12', { ok: true, steps: 9, cached: 4, durationMs: 834, nodes: ['matrixbake0'] }],
      ['wheel-cuda12', { ok: true, steps: first!.total_steps, cached: first!.cached_steps, nodes: ['matrixbake0'] }],
    ]);
    const progress = new Map([
      ['base-cuda12', targetProgress(progressVertices(record('base-cached')), ['base-cuda12']).get('base-cuda12')!],
      ['wheel-cuda12', targetProgress(progressVertices(record('wheel-cache-export-failed')), ['wheel-cuda12']).get('wheel-cuda12')!],
    ]);
    const metadata = { 'base-cuda12': { 'containerimage.digest': 'sha256:abc' }, 'wheel-cuda12': {} };
    const targets = ['base-cuda12', 'wheel-cuda12', 'busybox', 'runtime-vllm-cuda12', 'ci-vllm-cuda12'];
    const lost = bakeReport(plan, { targets, metadata, records, progress, finished: new Set(['busybox']), failed: [], daemonLost: true });
    expect(Object.fromEntries(lost.targets.map((t) => [t.target, t.status]))).toEqual({
      'base-cuda12': 'cached',
      'wheel-cuda12': 'built',
      busybox: 'built',
      'runtime-vllm-cuda12': 'interrupted',
      'ci-vllm-cuda12': 'interrupted',
    });
    expect(lost.cacheNotSaved.map((c) => c.target)).toEqual(['wheel-cuda12']);
    const failed = bakeReport(plan, { targets, metadata, records, progress, finished: new Set(), failed: ['runtime-vllm-cuda12'], daemonLost: false });
    expect(failed.targets.find((t) => t.target === 'runtime-vllm-cuda12')?.status).toBe('failed');
    expect(failed.targets.find((t) => t.target === 'ci-vllm-cuda12')?.status).toBe('not built');

    const table = formatTable(lost).split('\n');
    expect(table[0]!.split(/\s+/)).toEqual(['TARGET', 'PLATFORMS', 'STATUS', 'TIME', 'STEPS', 'CACHED', 'IMAGE', 'DIGEST']);
    expect(table.find((l) => l.startsWith('base-cuda12'))!.split(/\s{2,}/)).toEqual([
      'base-cuda12',
      'linux/amd64,linux/arm64',
      'cached',
      '0.8s',
      '9',
      '4 (44%)',
      '(cache only)',
      'sha256:abc',
    ]);
    expect(table.at(-1)).toBe('5 targets, 21 steps, 5 cached (24%)');
  });

  it('says why step counts are missing when the history cannot be read', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const r = bakeReport(plan, {
      targets: ['busybox'],
      metadata: { busybox: {} },
      records: new Map([['busybox', { ok: false, reason: 'unknown command "history"' }]]),
      progress: new Map(),
    });
    expect(r.targets[0]!.status).toBe('built');
    expect(r.targets[0]!.steps).toBeUndefined();
    expect(formatTable(r)).toContain('step counts unavailable: unknown command "history"');
  });
});
