import { describe, expect, it } from 'vitest';
import { explainCommand } from '../../../src/commands/explain.js';
import { UsageError } from '../../../src/errors.js';
import type { Explanation } from '../../../src/explain/explain-target.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileText } from '../../support/compile.js';

// `matrixbake explain TARGET`: what a user asks when a target is not what they expected.

const explain = (target: string, matrix = 'matrix/dynamo.toml') => explainCommand({ matrix, target, json: false, warn: () => {} });
const json = async (target: string, matrix = 'matrix/dynamo.toml') =>
  JSON.parse(await explainCommand({ matrix, target, json: true, warn: () => {} })) as Explanation;
/** The indented lines under `title:` (or `title (...)`). */
function sectionLines(text: string, title: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(`${title}:`) || l.startsWith(`${title} (`));
  if (at === -1) throw new Error(`no section ${title}`);
  const out: string[] = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('  ')) break;
    out.push(l.trim());
  }
  return out;
}

describe('explain a dynamo runtime image', () => {
  it('says its cell, stage, Dockerfile and the key that chose it, and platforms', async () => {
    const text = await explain('runtime-vllm-cuda12');
    expect(text).toMatch(/^runtime-vllm-cuda12: dynamo runtime image: .* for framework=vllm cuda=12 \(linux\/amd64, linux\/arm64\)\n/);
    expect(text).toContain('\ncell:       framework=vllm cuda=12\n');
    expect(text).toContain('\nstage:      runtime (dependency level 2)\n');
    expect(text).toContain('\ndockerfile: dockerfiles/Dockerfile.vllm (from axis.framework.values.vllm.dockerfile), stage "runtime"\n');
    expect(text).toContain('\nplatforms:  linux/amd64, linux/arm64\n');
    expect(text).toContain('\ntwins:      runtime-vllm-cuda12-amd64, runtime-vllm-cuda12-arm64\n');
  });

  it('gives each arg with the matrix key it came from', async () => {
    const args = sectionLines(await explain('runtime-vllm-cuda12'), 'args');
    expect(args).toContain('PYTHON_VERSION    = "3.12"                             <- project.args');
    expect(args).toContain('VLLM_REF          = "v0.12.0"                          <- axis.framework.values.vllm.args');
    expect(args).toContain('CUDA_VERSION      = "12.9.1"                           <- axis.cuda.values.12.args');
    const x = await json('runtime-vllm-cuda12');
    expect(x.args.map((a) => [a.name, a.from])).toEqual([
      ['PYTHON_VERSION', 'project.args'],
      ['VLLM_REF', 'axis.framework.values.vllm.args'],
      ['FLASHINF_REF', 'axis.framework.values.vllm.args'],
      ['TORCH_BACKEND', 'axis.framework.values.vllm.args'],
      ['CUDA_VERSION', 'axis.cuda.values.12.args'],
      ['BASE_IMAGE', 'axis.cuda.values.12.args'],
      ['BASE_IMAGE_TAG', 'axis.cuda.values.12.args'],
      ['RUNTIME_IMAGE', 'axis.cuda.values.12.args'],
      ['RUNTIME_IMAGE_TAG', 'axis.cuda.values.12.args'],
    ]);
  });

  it('says a stage arg overrides, bake variables passed as args, and the sccache args', async () => {
    const local = await json('local-dev-vllm-cuda12');
    expect(local.args.filter((a) => a.variable)).toEqual([
      { name: 'USER_UID', bake: 'USER_UID', from: 'stage.local-dev.variables', variable: { name: 'USER_UID', default: '"1000"' } },
      { name: 'USER_GID', bake: 'USER_GID', from: 'stage.local-dev.variables', variable: { name: 'USER_GID', default: '"0"' } },
    ]);
    expect(sectionLines(await explain('local-dev-vllm-cuda12'), 'args').find((l) => l.startsWith('USER_UID'))).toMatch(
      /^USER_UID +<- bake variable USER_UID \(default "1000"\)$/,
    );
    const backend = await json('backend-vllm-cuda12');
    expect(backend.args.find((a) => a.name === 'CARGO_BUILD_JOBS')).toMatchObject({ from: 'stage.backend.args', value: '16' });
    expect(backend.args.filter((a) => a.from === 'sccache').map((a) => [a.name, a.bake])).toEqual([
      ['USE_SCCACHE', 'USE_SCCACHE ? "true" : null'],
      ['SCCACHE_BUCKET', 'USE_SCCACHE ? SCCACHE_BUCKET : null'],
      ['SCCACHE_REGION', 'USE_SCCACHE ? SCCACHE_REGION : null'],
      ['SCCACHE_S3_KEY_PREFIX', 'USE_SCCACHE ? "dynamo" : null'],
    ]);
  });

  it('lists its links and who links it, inherited ones with the context they come through', async () => {
    const text = await explain('runtime-vllm-cuda12');
    expect(sectionLines(text, 'links')).toEqual(['dynamo-base   -> base-cuda12', 'dynamo-wheels -> wheel-cuda12', 'backend       -> backend-vllm-cuda12']);
    expect(sectionLines(text, 'linked by')).toEqual([
      'ci-vllm-cuda12        as runtime',
      'dev-vllm-cuda12       as runtime',
      'local-dev-vllm-cuda12 as runtime (via dev)',
    ]);
    expect((await json('ci-vllm-cuda12')).links).toContainEqual({ context: 'backend', target: 'backend-vllm-cuda12', via: 'runtime' });
  });

  it('shows the cache refs and tags as the bake file has them', async () => {
    const text = await explain('runtime-vllm-cuda12');
    const branch = '${regex_replace(BRANCH, "[^A-Za-z0-9_.-]", "-")}';
    expect(sectionLines(text, 'cache-from')).toEqual([
      ...['runtime-vllm-cuda12', 'runtime-vllm-cuda12-amd64', 'runtime-vllm-cuda12-arm64'].map((k) => `type=registry,ref=\${CACHE_REGISTRY}:${k}-${branch}`),
      ...['runtime-vllm-cuda12', 'runtime-vllm-cuda12-amd64', 'runtime-vllm-cuda12-arm64'].map((k) => `type=registry,ref=\${CACHE_REGISTRY}:${k}-main`),
    ]);
    expect(text).toContain(
      '\ncache-to (only when PUSH_CACHE is true):\n  type=registry,ref=${CACHE_REGISTRY}:runtime-vllm-cuda12-${regex_replace(BRANCH, "[^A-Za-z0-9_.-]", "-")},mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true\n',
    );
    expect(sectionLines(text, 'tags')).toEqual(['${REGISTRY}/dynamo:${VERSION}-vllm-runtime-cuda12', '${REGISTRY}/dynamo:latest-vllm-runtime-cuda12']);
    expect(await explain('base-cuda12')).toContain('\ntags: none (stage base is not published)\n');
  });

  it('names the exclude that removed a sibling, with its reason', async () => {
    const line = 'matrix.exclude[0] (framework=trtllm cuda=12: "TensorRT-LLM publishes CUDA 13 builds only") removed runtime-trtllm-cuda12';
    expect(sectionLines(await explain('runtime-trtllm-cuda13'), 'excludes')).toEqual([line]);
    expect(sectionLines(await explain('runtime-vllm-cuda12'), 'excludes')).toEqual([line]);
    // No sibling of runtime-vllm-cuda13 (same stage, one value apart) was removed.
    expect(await explain('runtime-vllm-cuda13')).toContain('\nexcludes: none\n');
    // base-cuda12 does not vary over the framework: it is the same image, whichever frameworks use it.
    expect(await explain('base-cuda12')).toContain('\nexcludes: none\n');
    expect(await explain('base-cuda12-arm64')).toContain('\nexcludes: none\n');
  });
});

describe('explain a per-arch twin', () => {
  it('links twins, is linked by twins, has per-arch cache refs and no tags', async () => {
    const text = await explain('runtime-trtllm-cuda13-amd64');
    expect(text).toContain('\ncell:       framework=trtllm cuda=13 arch=amd64\n');
    expect(text).toContain('\nnode:       runtime-trtllm-cuda13 (this is its linux/amd64 twin)\n');
    expect(text).toContain('\nplatforms:  linux/amd64\n');
    expect(text).not.toContain('\ntwins:');
    expect(sectionLines(text, 'links')).toEqual([
      'dynamo-base   -> base-cuda13-amd64',
      'dynamo-wheels -> wheel-cuda13-amd64',
      'backend       -> backend-trtllm-cuda13-amd64',
    ]);
    expect(sectionLines(text, 'linked by')).toEqual([
      'ci-trtllm-cuda13-amd64        as runtime',
      'dev-trtllm-cuda13-amd64       as runtime',
      'local-dev-trtllm-cuda13-amd64 as runtime (via dev)',
    ]);
    expect(sectionLines(text, 'cache-from').slice(2)).toEqual([
      'type=registry,ref=${CACHE_REGISTRY}:runtime-trtllm-cuda13-amd64-main',
      'type=registry,ref=${CACHE_REGISTRY}:runtime-trtllm-cuda13-main',
    ]);
    expect(text).toContain(
      '\ntags: none (a per-arch twin: `release` and `bake --push` push it by digest and merge it into the tags of runtime-trtllm-cuda13)\n',
    );
    expect(sectionLines(text, 'excludes')).toEqual([
      'matrix.exclude[0] (framework=trtllm cuda=12: "TensorRT-LLM publishes CUDA 13 builds only") removed runtime-trtllm-cuda12-amd64',
    ]);
    // The same args as its node, from the same keys.
    expect((await json('runtime-trtllm-cuda13-amd64')).args).toEqual((await json('runtime-trtllm-cuda13')).args);
  });

  it('in the demo, the BUILD_NONCE variable is passed as an arg', async () => {
    expect(sectionLines(await explain('base-cuda13-arm64', 'matrix/demo.toml'), 'args')).toContain(
      'BUILD_NONCE               <- bake variable BUILD_NONCE (default "")',
    );
  });
});

describe('explain and excludes on the arch', () => {
  const toml = `
[project]
image = "img"
[matrix]
fw = ["a", "b"]
arch = ["amd64", "arm64"]
[[matrix.exclude]]
fw = "b"
arch = "arm64"
reason = "no arm64 build of b"
[stage.base]
dockerfile = "Dockerfile"
[stage.app]
dockerfile = "Dockerfile"
axes = ["fw"]
uses = { base = "base" }
`;
  it('says why a node lacks a platform, and which twin is missing', async () => {
    const { file } = await compileText(toml);
    const node = await explain('app-b', file);
    expect(node).toContain('\nplatforms:  linux/amd64\n');
    expect(sectionLines(node, 'excludes')).toEqual([
      'matrix.exclude[0] (fw=b arch=arm64: "no arm64 build of b") removed 1 of the cells it is built for (arch=arm64)',
    ]);
    expect(sectionLines(await explain('app-b-amd64', file), 'excludes')).toEqual([
      'matrix.exclude[0] (fw=b arch=arm64: "no arm64 build of b") removed app-b-arm64',
    ]);
    expect(sectionLines(await explain('app-a-arm64', file), 'excludes')).toEqual([
      'matrix.exclude[0] (fw=b arch=arm64: "no arm64 build of b") removed app-b-arm64',
    ]);
    expect(await explain('app-a-amd64', file)).toContain('\nexcludes: none\n');
    expect(await explain('app-a', file)).toContain('\ncache: none (the matrix has no [cache])\n');
  });
});

describe('an unknown target', () => {
  it('is a usage error with a suggestion; a group name says so', async () => {
    await expect(explain('runtime-vllm-cuda2')).rejects.toThrow(
      new UsageError('no target "runtime-vllm-cuda2" in matrix/dynamo.toml (did you mean "runtime-vllm-cuda12"?)'),
    );
    // The axis values in another order than [matrix] puts them.
    await expect(explain('runtime-cuda13-trtllm')).rejects.toThrow(
      new UsageError('no target "runtime-cuda13-trtllm" in matrix/dynamo.toml (did you mean "runtime-trtllm-cuda13"?)'),
    );
    await expect(explain('runtime-cuda13-trtllm-arm64')).rejects.toThrow(/\(did you mean "runtime-trtllm-cuda13-arm64"\?\)/);
    await expect(explain('vllm-runtime')).rejects.toThrow(
      /"vllm-runtime" is a group of matrix\/dynamo.toml, not a target: explain one of its targets, e.g. runtime-vllm-cuda12/,
    );
  });
});

describe('matrixbake explain (CLI)', () => {
  const cli = cliRunner();

  it('takes TARGET then MATRIX, or MATRIX then TARGET; --json', () => {
    const a = cli(['explain', 'base-cuda12', 'matrix/demo.toml']);
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(/^base-cuda12: dynamo demo base/);
    expect(cli(['explain', 'matrix/demo.toml', 'base-cuda12']).stdout).toBe(a.stdout);
    const j = JSON.parse(cli(['explain', 'runtime-vllm-cuda12-arm64', '--json']).stdout) as Explanation;
    expect(j).toMatchObject({ target: 'runtime-vllm-cuda12-arm64', node: 'runtime-vllm-cuda12', arch: 'arm64', platforms: ['linux/arm64'] });
  });

  it('an unknown target: exit 2, one line with did-you-mean', () => {
    const r = cli(['explain', 'runtime-vllm-cuda2']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'matrixbake: no target "runtime-vllm-cuda2" in matrix/dynamo.toml (did you mean "runtime-vllm-cuda12"?) (see matrixbake help explain)',
    ]);
    expect(cli(['explain']).status).toBe(2);
  });
});

describe('an exclude of one stage', () => {
  it("drops that stage's targets only, from every group, and explain names it", async () => {
    const { file, result } = await compileText(`
[project]
image = "dynamo"
[matrix]
framework = ["vllm", "sglang"]
arch = ["amd64", "arm64"]
[stage.runtime]
dockerfile = "Dockerfile"
axes = ["framework"]
[stage.local-dev]
dockerfile = "Dockerfile"
axes = ["framework"]
uses = { runtime = "runtime" }
exclude = [{ framework = "sglang", reason = "no local-dev image for SGLang" }, { framework = "vllm", arch = "arm64", reason = "no arm64 laptops" }]
`);
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    const names = result.value.plan.targets.map((t) => t.name);
    expect(names).toContain('runtime-sglang');
    expect(names).not.toContain('local-dev-sglang');
    expect(names).not.toContain('local-dev-vllm-arm64');
    expect(result.value.plan.targets.find((t) => t.name === 'local-dev-vllm')!.platforms).toEqual(['linux/amd64']);
    expect(result.value.plan.groups.find((g) => g.name === 'sglang')!.targets).not.toContain('local-dev-sglang');
    expect(sectionLines(await explain('local-dev-vllm', file), 'excludes')).toEqual([
      'stage.local-dev.exclude[0] (framework=sglang: "no local-dev image for SGLang") removed local-dev-sglang',
      'stage.local-dev.exclude[1] (framework=vllm arch=arm64: "no arm64 laptops") removed 1 of the cells it is built for (arch=arm64)',
    ]);
    expect(await explain('runtime-vllm', file)).toContain('\nexcludes: none\n');
  });
});
