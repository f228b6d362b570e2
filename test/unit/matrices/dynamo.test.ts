import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveBake } from '../../../src/bake/resolve.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk, emit } from '../../support/compile.js';

// What Dynamo's container team relies on, read off the compiled matrix/dynamo.toml.

const compiled = await compileOk('matrix/dynamo.toml');
const { plan } = compiled;
const target = (name: string) => plan.targets.find((t) => t.name === name);
const resolved = (vars: Record<string, string> = {}) => resolveBake(compiled.bake, vars).target;

describe('matrix/dynamo.toml', () => {
  it('builds base and wheel once per CUDA and links every framework to them', () => {
    for (const cuda of ['12', '13']) {
      const frameworks = cuda === '12' ? ['vllm', 'sglang'] : ['vllm', 'sglang', 'trtllm'];
      for (const fw of frameworks) {
        expect(target(`backend-${fw}-cuda${cuda}`)!.links).toContainEqual({ context: 'dynamo-base', target: `base-cuda${cuda}` });
        expect(target(`runtime-${fw}-cuda${cuda}`)!.links).toEqual([
          { context: 'dynamo-base', target: `base-cuda${cuda}` },
          { context: 'dynamo-wheels', target: `wheel-cuda${cuda}` },
          { context: 'backend', target: `backend-${fw}-cuda${cuda}` },
        ]);
      }
    }
    expect(plan.targets.filter((t) => t.stage === 'base' && !t.arch).map((t) => t.name)).toEqual(['base-cuda12', 'base-cuda13']);
    expect(plan.targets.filter((t) => t.stage === 'wheel' && !t.arch).map((t) => t.name)).toEqual(['wheel-cuda12', 'wheel-cuda13']);
  });

  it('drops TensorRT-LLM on CUDA 12 with no dangling link', () => {
    expect(target('runtime-trtllm-cuda13')).toBeDefined();
    expect(plan.targets.filter((t) => t.name.includes('trtllm-cuda12'))).toEqual([]);
    const names = new Set(plan.targets.map((t) => t.name));
    for (const t of plan.targets) for (const l of t.links) expect(names, `${t.name} -> ${l.target}`).toContain(l.target);
  });

  it('has 10 multi-arch runtime targets, each with an amd64 and an arm64 twin linked to twins', () => {
    const runtimes = plan.targets.filter((t) => t.stage === 'runtime' && !t.arch);
    expect(runtimes).toHaveLength(5);
    for (const r of runtimes) {
      expect(r.platforms).toEqual(['linux/amd64', 'linux/arm64']);
      for (const arch of ['amd64', 'arm64']) {
        const twin = target(`${r.name}-${arch}`)!;
        expect(twin.platforms).toEqual([`linux/${arch}`]);
        expect(twin.links.map((l) => l.target)).toEqual(r.links.map((l) => `${l.target}-${arch}`));
      }
    }
    expect(runtimes.length * 2).toBe(10);
  });

  it('tags published images the Dynamo way, with a latest- twin', () => {
    const t = resolved({ VERSION: 'v0.7.0' })['runtime-vllm-cuda12']!;
    expect(t.tags).toEqual(['nvcr.io/nvidia/ai-dynamo/dynamo:v0.7.0-vllm-runtime-cuda12', 'nvcr.io/nvidia/ai-dynamo/dynamo:latest-vllm-runtime-cuda12']);
    expect(resolved()['base-cuda12']!.tags).toBeUndefined();
  });

  it("reads the branch cache then main, its twins' too; writes cache only with PUSH_CACHE, to per-arch refs for twins", () => {
    expect(resolved()['runtime-vllm-cuda12']!['cache-to']).toBeUndefined();
    const on = resolved({ PUSH_CACHE: 'true', BRANCH: 'feat/x' });
    const ref = (key: string) => `type=registry,ref=ghcr.io/ai-dynamo/dynamo-cache:${key}`;
    expect(on['runtime-vllm-cuda12']!['cache-from']).toEqual([
      ref('runtime-vllm-cuda12-feat-x'),
      ref('runtime-vllm-cuda12-amd64-feat-x'),
      ref('runtime-vllm-cuda12-arm64-feat-x'),
      ref('runtime-vllm-cuda12-main'),
      ref('runtime-vllm-cuda12-amd64-main'),
      ref('runtime-vllm-cuda12-arm64-main'),
    ]);
    // A twin reads its node's refs: what a multi-platform bake pushed restores a CI job.
    expect(on['runtime-vllm-cuda12-arm64']!['cache-from']).toEqual([
      ref('runtime-vllm-cuda12-arm64-feat-x'),
      ref('runtime-vllm-cuda12-feat-x'),
      ref('runtime-vllm-cuda12-arm64-main'),
      ref('runtime-vllm-cuda12-main'),
    ]);
    expect(on['runtime-vllm-cuda12-arm64']!['cache-to']).toEqual([
      'type=registry,ref=ghcr.io/ai-dynamo/dynamo-cache:runtime-vllm-cuda12-arm64-feat-x,mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true',
    ]);
  });

  it('gives sccache args and AWS secrets to compiling stages only when USE_SCCACHE', () => {
    expect(resolved()['wheel-cuda12']!.secret).toBeUndefined();
    expect(resolved()['wheel-cuda12']!.args).not.toHaveProperty('SCCACHE_BUCKET');
    const on = resolved({ USE_SCCACHE: 'true' });
    expect(on['wheel-cuda12']!.secret).toEqual(['id=aws-key-id,env=AWS_ACCESS_KEY_ID', 'id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY']);
    expect(on['wheel-cuda12']!.args).toMatchObject({
      USE_SCCACHE: 'true',
      SCCACHE_BUCKET: 'dynamo-sccache',
      SCCACHE_REGION: 'us-west-2',
      SCCACHE_S3_KEY_PREFIX: 'dynamo',
    });
    expect(on['runtime-vllm-cuda12']!.secret).toBeUndefined();
  });

  it('passes USER_UID/USER_GID to local-dev only', () => {
    expect(resolved({ USER_UID: '4242' })['local-dev-vllm-cuda12']!.args).toMatchObject({ USER_UID: '4242', USER_GID: '0' });
    expect(resolved()['dev-vllm-cuda12']!.args).not.toHaveProperty('USER_UID');
  });

  it('names the groups a user types', () => {
    const groups = new Map(plan.groups.map((g) => [g.name, g.targets]));
    for (const g of ['all', 'default', 'vllm', 'sglang', 'trtllm', 'cuda12', 'cuda13', 'amd64', 'arm64', 'runtime', 'base', 'vllm-runtime', 'trtllm-local-dev'])
      expect(groups.has(g), g).toBe(true);
    expect(groups.get('vllm-runtime')).toEqual(['runtime-vllm-cuda12', 'runtime-vllm-cuda13']);
    expect(groups.get('arm64')!.every((t) => t.endsWith('-arm64'))).toBe(true);
    const targets = new Set(plan.targets.map((t) => t.name));
    for (const g of groups.keys()) expect(targets.has(g), g).toBe(false);
  });

  it('is what bake/docker-bake.hcl holds (compile --check guards it in CI)', () => {
    expect(readFileSync('bake/docker-bake.hcl', 'utf8')).toBe(emit(compiled, 'hcl'));
  });

  it('compiles to the same bytes from any working directory (compile --check run in matrix/)', () => {
    const cli = cliRunner();
    const r = cli(['compile', '--check', '-o', '../bake/docker-bake.hcl', 'dynamo.toml'], {}, 'matrix');
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(cli(['compile', 'dynamo.toml'], {}, 'matrix').stdout).toBe(readFileSync('bake/docker-bake.hcl', 'utf8'));
  });

  it('never uses the native bake matrix attribute', () => {
    expect(emit(compiled, 'hcl')).not.toMatch(/^\s*matrix\s*=/m);
  });
});
