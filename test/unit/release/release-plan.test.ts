import { describe, expect, it } from 'vitest';
import { mergeSteps, selectRelease, type PushedTwin } from '../../../src/release/release-plan.js';
import { versionFrom } from '../../../src/release/version.js';
import { compileOk } from '../../support/compile.js';

// What `release` and `promote` will do, read off the plan: which twins are pushed, which tags
// are made from which digests, and what a missing arch does. The real thing is test/e2e/release.

describe('release version, as Dynamo build.sh names it', () => {
  it('is v<tag> on an exact tag and v<last tag>.dev.<sha> after it', () => {
    expect(versionFrom({ exactTag: 'v0.7.0', lastTag: 'v0.7.0', shortSha: '08cc44965' })).toBe('v0.7.0');
    expect(versionFrom({ exactTag: '0.7.0', shortSha: '08cc44965' })).toBe('v0.7.0');
    expect(versionFrom({ lastTag: 'v0.1.0', shortSha: '08cc44965' })).toBe('v0.1.0.dev.08cc44965');
    expect(versionFrom({ shortSha: '08cc44965' })).toBe('v0.0.0.dev.08cc44965');
  });
});

describe('release selection and merge', () => {
  it('pushes the per-arch twins of the published images in the group', async () => {
    const { plan } = await compileOk('matrix/dynamo.toml');
    const sel = selectRelease(plan, 'vllm');
    if ('error' in sel) throw new Error(sel.error);
    expect(sel.nodes.every((n) => n.values.framework === 'vllm' && n.tagSuffix !== undefined)).toBe(true);
    expect(sel.twins).toHaveLength(sel.nodes.length * 2);
    const arm = selectRelease(plan, 'vllm', 'arm64');
    expect('twins' in arm && arm.twins.every((t) => t.arch === 'arm64')).toBe(true);
  });

  it('says why it cannot: unknown group, nothing published, unknown arch, --only of a node', async () => {
    const { plan } = await compileOk('matrix/dynamo.toml');
    expect(selectRelease(plan, 'vllmm')).toMatchObject({ error: 'unknown group or target "vllmm"' });
    expect(selectRelease(plan, 'base')).toMatchObject({ error: '"base" holds no published image' });
    expect(selectRelease(plan, 'vllm', 'riscv64')).toMatchObject({ error: 'unknown arch "riscv64"', hint: 'one of amd64, arm64' });
    expect(selectRelease(plan, 'base-cuda12', undefined, true)).toMatchObject({ error: expect.stringContaining('--only builds one per-arch target') });
    expect(selectRelease(plan, 'base-cuda12-arm64', undefined, true)).toMatchObject({ nodes: [], twins: [{ name: 'base-cuda12-arm64' }] });
  });

  it('makes the version and latest tags of each image from its two digests, or names the missing arch', async () => {
    const { plan } = await compileOk('matrix/demo.toml');
    const sel = selectRelease(plan, 'vllm-runtime');
    if ('error' in sel) throw new Error(sel.error);
    const pushed: PushedTwin[] = sel.twins
      .filter((t) => t.name !== 'runtime-vllm-cuda13-arm64')
      .map((t) => ({ target: t.name, node: t.node, arch: t.arch!, platform: t.platforms[0]!, repo: 'r/dynamo', digest: `sha256:${t.name}` }));
    const steps = mergeSteps(plan, sel.nodes, pushed, { registry: 'r', version: 'v1.0.0', revision: 'abc', created: '2023-11-14T22:13:20.000Z' });
    expect(steps).toEqual([
      {
        node: 'runtime-vllm-cuda12',
        tags: ['r/dynamo:v1.0.0-vllm-runtime-cuda12', 'r/dynamo:latest-vllm-runtime-cuda12'],
        sources: ['r/dynamo@sha256:runtime-vllm-cuda12-amd64', 'r/dynamo@sha256:runtime-vllm-cuda12-arm64'],
        annotations: expect.arrayContaining([
          'index:org.opencontainers.image.version=v1.0.0',
          'index:org.opencontainers.image.revision=abc',
          'index:org.opencontainers.image.created=2023-11-14T22:13:20.000Z',
        ]),
      },
      { node: 'runtime-vllm-cuda13', missing: ['runtime-vllm-cuda13-arm64'] },
    ]);
  });
});
