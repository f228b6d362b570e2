import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { daemonLost } from '../src/run/buildx-errors.js';
import { buildRef } from '../src/run/history.js';
import { cacheExportErrors, parseRawjson } from '../src/run/rawjson.js';
import { bakeReport, finishedTargets, formatTable } from '../src/run/summary.js';
import { compileOk } from './support/compile.js';

// The summary after a bake: steps and cached steps per target from BuildKit's build history
// (`buildx history logs --progress=rawjson`), and what happened to each target when it failed.
// The two records are real, taken from a bench build (test/e2e/bake-summary.test.ts checks the
// same counts live against `buildx history inspect`).

const record = (name: string) => readFileSync(new URL(`fixtures/rawjson/${name}.jsonl`, import.meta.url), 'utf8');

describe('a build record, replayed', () => {
  it('counts steps and cached steps as buildx history does, and tells a rebuild from a reuse', () => {
    // `buildx history ls` said of this record: total_steps 9, cached_steps 4.
    const base = parseRawjson(record('base-cached'));
    expect(base).toMatchObject({ steps: 9, cached: 4, instructions: 4, instructionsCached: 4, errors: [] });
    expect(base.durationMs).toBeGreaterThan(0);
    expect(base.durationMs).toBeLessThan(5_000);
  });

  it('finds the cache export the registry refused, which did not fail the build', () => {
    const wheel = parseRawjson(record('wheel-cache-export-failed'));
    expect(wheel).toMatchObject({ steps: 9, cached: 3 });
    expect(wheel.instructionsCached).toBeLessThan(wheel.instructions);
    expect(cacheExportErrors(wheel)).toEqual([expect.stringMatching(/^error writing manifest blob: .*localhost:5099/)]);
    // The importer's "not found" for a first build is an error too, but not a lost cache.
    expect(wheel.errors.length).toBeGreaterThan(cacheExportErrors(wheel).length);
  });

  it('keeps what it read from a stream cut short', () => {
    const cut = `${record('base-cached').trimEnd()}\n${record('wheel-cache-export-failed').slice(0, 200)}`;
    expect(parseRawjson(cut).steps).toBe(9);
    expect(parseRawjson('')).toEqual({ steps: 0, cached: 0, instructions: 0, instructionsCached: 0, durationMs: 0, errors: [] });
  });

  it('reads the build ref buildx writes into the metadata file', () => {
    expect(buildRef({ 'buildx.build.ref': 'matrixbake/matrixbake0/w0rk8vbgplfmffb4pb6yp4jmv' })).toEqual({ builder: 'matrixbake', ref: 'w0rk8vbgplfmffb4pb6yp4jmv' });
    expect(buildRef({})).toBeUndefined();
    expect(buildRef({ 'buildx.build.ref': 'no-slashes' })).toBeUndefined();
  });
});

describe('a bake that stopped', () => {
  it('knows buildkitd went away, in both of buildx\'s spellings, and nothing else', () => {
    expect(daemonLost('ERROR: target ci-sglang-cuda12: failed to solve: Unavailable: error reading from server: EOF')).toBe('error reading from server: EOF');
    expect(daemonLost('ERROR: target x: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF')).toBe('error reading from server: EOF');
    expect(daemonLost('ERROR: target x: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3')).toBeUndefined();
  });

  it('reads which targets finished from buildx\'s progress', () => {
    const progress = ['#30 [busybox] resolving provenance for metadata file', '#30 DONE 0.0s', '#31 [base-cuda13 demo-base 1/1] RUN sleep 8', '#34 [base-cuda13] resolving provenance for metadata file'].join('\n');
    expect([...finishedTargets(progress, ['all'])].sort()).toEqual(['base-cuda13', 'busybox']);
    // One target per bake (--levels): buildx does not prefix its progress.
    expect([...finishedTargets('#9 resolving provenance for metadata file', ['wheel-cuda12'])]).toEqual(['wheel-cuda12']);
    expect([...finishedTargets('#9 resolving provenance for metadata file', ['a', 'b'])]).toEqual([]);
  });

  it('reports each target as built, cached, failed, interrupted or not built', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const steps = new Map([
      ['base-cuda12', { ok: true as const, steps: parseRawjson(record('base-cached')) }],
      ['wheel-cuda12', { ok: true as const, steps: parseRawjson(record('wheel-cache-export-failed')) }],
    ]);
    const metadata = { 'base-cuda12': { 'containerimage.digest': 'sha256:abc' }, 'wheel-cuda12': {} };
    const targets = ['base-cuda12', 'wheel-cuda12', 'busybox', 'runtime-vllm-cuda12', 'ci-vllm-cuda12'];
    const lost = bakeReport(plan, { targets, metadata, steps, finished: new Set(['busybox']), failed: [], daemonLost: true });
    expect(Object.fromEntries(lost.targets.map((t) => [t.target, t.status]))).toEqual({ 'base-cuda12': 'cached', 'wheel-cuda12': 'built', busybox: 'built', 'runtime-vllm-cuda12': 'interrupted', 'ci-vllm-cuda12': 'interrupted' });
    expect(lost.cacheNotSaved.map((c) => c.target)).toEqual(['wheel-cuda12']);
    const failed = bakeReport(plan, { targets, metadata, steps, finished: new Set(), failed: ['runtime-vllm-cuda12'], daemonLost: false });
    expect(failed.targets.find((t) => t.target === 'runtime-vllm-cuda12')?.status).toBe('failed');
    expect(failed.targets.find((t) => t.target === 'ci-vllm-cuda12')?.status).toBe('not built');

    const table = formatTable(lost).split('\n');
    expect(table[0]!.split(/\s+/)).toEqual(['TARGET', 'PLATFORMS', 'STATUS', 'TIME', 'STEPS', 'CACHED', 'IMAGE', 'DIGEST']);
    expect(table.find((l) => l.startsWith('base-cuda12'))!.split(/\s{2,}/)).toEqual(['base-cuda12', 'linux/amd64,linux/arm64', 'cached', expect.stringMatching(/^\d+\.\d+s$/), '9', '4 (44%)', '(cache only)', 'sha256:abc']);
    expect(table.at(-1)).toBe('5 targets, 18 steps, 7 cached (39%)');
  });

  it('says why step counts are missing when the history cannot be read', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const r = bakeReport(plan, { targets: ['busybox'], metadata: { busybox: {} }, steps: new Map([['busybox', { ok: false, reason: 'unknown command "history"' }]]) });
    expect(r.targets[0]!.status).toBe('built');
    expect(r.targets[0]!.steps).toBeUndefined();
    expect(formatTable(r)).toContain('step counts unavailable: unknown command "history"');
  });
});
