import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk, compileText, emit, writeTemp } from '../../support/compile.js';

// Tag templates: images named as their project publishes them. vLLM's `vllm-openai:<version>-cu130`
// (matrix/vllm.toml), NGC's `tensorrt-llm/release:<version>`, build.sh's local `dynamo:latest-vllm`.

const cli = cliRunner();

const matrix = (project: string, stages: string) => `
[project]
image = "dynamo"
${project}

[matrix]
framework = ["vllm", "trtllm"]

[stage.runtime]
dockerfile = "Dockerfile"
axes = ["framework"]
publish = true
${stages}
`;

async function compiled(toml: string) {
  const { result } = await compileText(toml);
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  return result.value;
}

async function refused(toml: string): Promise<string[]> {
  const { result } = await compileText(toml);
  if (result.ok) throw new Error('compiled');
  return result.errors.map((d) => formatDiagnostic({ ...d, file: 'm.toml' }));
}

describe.skipIf(!BUILDX)('tag templates, as buildx reads them', () => {
  it("name vLLM's images by CUDA build, with the bake file's REGISTRY and VERSION", async () => {
    const file = writeTemp('docker-bake.hcl', emit(await compileOk('matrix/vllm.toml'), 'hcl'));
    const p = bakePrint(file, ['vllm-openai-cu130'], { REGISTRY: 'vllm', VERSION: 'v0.12.0' });
    expect(p.target['vllm-openai-cu130']!.tags).toEqual(['vllm/vllm-openai:v0.12.0-cu130', 'vllm/vllm-openai:latest-cu130']);
  });

  it("make build.sh's local tags when the matrix names no registry, and NGC's repository for one stage", async () => {
    const value = await compiled(
      matrix(
        'tags = ["{registry}/{image}:latest-{framework}"]',
        '[stage.release]\ndockerfile = "Dockerfile"\npublish = true\ntags = ["{registry}/tensorrt-llm/release:{version}"]\n',
      ),
    );
    const p = bakePrint(writeTemp('docker-bake.hcl', emit(value, 'hcl')), ['all'], { VERSION: '1.2.0rc5' });
    expect(p.target['runtime-vllm']!.tags).toEqual(['dynamo:latest-vllm']);
    expect(p.target['runtime-trtllm']!.tags).toEqual(['dynamo:latest-trtllm']);
    expect(p.target.release!.tags).toEqual(['tensorrt-llm/release:1.2.0rc5']);
  });
});

describe('tag templates', () => {
  it('release and promote tag in their own registry, by the same templates', () => {
    const release = cli(['release', 'matrix/vllm.toml', '--registry', 'staging.example/vllm', '--version', 'v0.12.0', '--dry-run']);
    expect(release.status, release.stderr).toBe(0);
    expect(release.stdout).toMatch(/ -t staging\.example\/vllm\/vllm-openai:v0\.12\.0-cu130 -t staging\.example\/vllm\/vllm-openai:latest-cu130 /);
    const promote = cli(['promote', 'matrix/vllm.toml', '--from', 'staging.example/vllm', '--registry', 'vllm', '--version', 'v0.12.0', '--dry-run']);
    expect(promote.status, promote.stderr).toBe(0);
    expect(promote.stdout).toContain(
      "-t vllm/vllm-openai:v0.12.0-cu130 -t vllm/vllm-openai:latest-cu130 'staging.example/vllm/vllm-openai@<digest of staging.example/vllm/vllm-openai:v0.12.0-cu130>'",
    );
  });

  it('refuse a template without {registry}/, an unknown placeholder, an axis the stage lacks, and two images with one tag', async () => {
    expect(await refused(matrix('tags = ["nvcr.io/nvidia/{image}:{version}"]', ''))).toEqual([
      'm.toml: project.tags[0]: tag template "nvcr.io/nvidia/{image}:{version}" does not start with {registry}/ (hint: write "{registry}/nvidia/{image}:{version}": bake, release and promote put their registry there (none: a local tag))',
    ]);
    expect(await refused(matrix('', 'tags = ["{registry}/{image}:{verison}-{framework}"]'))).toEqual([
      'm.toml: stage.runtime.tags[0]: {verison} is not a placeholder of tag templates (hint: they are {registry}, {image}, {version}, {suffix}, {stage}, {framework})',
    ]);
    expect(await refused(matrix('tags = ["{registry}/{image}:{version}-{framework}"]', '[stage.tools]\ndockerfile = "Dockerfile"\npublish = true\n'))).toEqual([
      'm.toml: project.tags[0]: {framework} names axis framework, which stage tools does not vary over (hint: give stage tools tags of its own (stage.tools.tags), or add framework to its axes)',
    ]);
    expect(await refused(matrix('', 'tags = ["{registry}/{image}:{version}"]'))).toEqual([
      'm.toml: stage.runtime.tags: runtime-vllm and runtime-trtllm would both be tagged "{registry}/dynamo:{version}" (from stage.runtime.tags and stage.runtime.tags) (hint: name what tells them apart in the template: {framework} or {suffix})',
    ]);
  });
});

describe('the axis that leads tags and stage groups', () => {
  const toml = (axes: string) => `
[project]
image = "dynamo"
registry = "r.example"

[matrix]
${axes}

[axis.cuda]
label = "cuda{value}"

[stage.runtime]
dockerfile = "Dockerfile"
axes = ["framework", "cuda"]
publish = true
`;

  it('is the first axis written under [matrix], whatever its name: "framework" is not special', async () => {
    const frameworkFirst = (await compiled(toml('framework = ["vllm"]\ncuda = ["12"]'))).plan;
    expect(frameworkFirst.targets.find((t) => t.name === 'runtime-vllm-cuda12')?.tagSuffix).toBe('vllm-runtime-cuda12');
    expect(frameworkFirst.groups.map((g) => g.name)).toContain('vllm-runtime');
    const cudaFirst = (await compiled(toml('cuda = ["12"]\nframework = ["vllm"]'))).plan;
    expect(cudaFirst.targets.find((t) => t.name === 'runtime-cuda12-vllm')?.tagSuffix).toBe('cuda12-runtime-vllm');
    expect(cudaFirst.groups.map((g) => g.name)).toContain('cuda12-runtime');
    expect(cudaFirst.groups.map((g) => g.name)).not.toContain('vllm-runtime');
  });
});
