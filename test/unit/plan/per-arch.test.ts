import { describe, expect, it } from 'vitest';
import { explainTarget } from '../../../src/explain/explain-target.js';
import { formatExplanation } from '../../../src/explain/format-explanation.js';
import { formatFinding } from '../../../src/lint/finding.js';
import { lintPlan } from '../../../src/lint/lint-plan.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk, emit, writeTemp } from '../../support/compile.js';
import { repoCopy } from '../../support/repo-copy.js';

// Per-arch args, on Dockerfiles shaped like Dynamo's (test/fixtures/per-arch): `ARG ARCH=amd64`
// and `ARG ARCH_ALT=x86_64`, which Dynamo's container/build.sh sets for arm64 only
// (`--build-arg ARCH=arm64 --build-arg ARCH_ALT=aarch64`), and TensorRT-LLM's arm64 kernel list.

const MATRIX = 'test/fixtures/matrices/per-arch.toml';
const FILES = [MATRIX, 'test/fixtures/per-arch/Dockerfile', 'test/fixtures/per-arch/Dockerfile.framework'];
const cli = cliRunner();

/** What build.sh passes on top of the cell's own args, per arch (nothing for amd64). */
const BUILD_SH_ARCH_ARGS: Record<string, Record<string, string>> = { amd64: {}, arm64: { ARCH: 'arm64', ARCH_ALT: 'aarch64' } };

describe.skipIf(!BUILDX)('per-arch args, as buildx reads them', () => {
  it("gives each arch of each cell the args Dynamo's build script passes for it", async () => {
    const file = writeTemp('docker-bake.hcl', emit(await compileOk(MATRIX), 'hcl'));
    const p = bakePrint(file, ['all']);
    const cells = [
      { target: 'base-cuda12', args: { CUDA_VERSION: '12.9.1' } },
      { target: 'base-cuda13', args: { CUDA_VERSION: '13.0.1', BASE_IMAGE_TAG: '25.09-cuda13.0-devel-ubuntu24.04' } },
      { target: 'runtime-vllm-cuda12', args: { CUDA_VERSION: '12.9.1', FRAMEWORK: 'vllm' } },
      { target: 'runtime-vllm-cuda13', args: { CUDA_VERSION: '13.0.1', FRAMEWORK: 'vllm', RUNTIME_IMAGE_TAG: '13.0.1-runtime-ubuntu24.04' } },
      {
        target: 'runtime-trtllm-cuda13',
        args: { CUDA_VERSION: '13.0.1', FRAMEWORK: 'trtllm', RUNTIME_IMAGE_TAG: '13.0.1-runtime-ubuntu24.04' },
        arm64: { TORCH_CUDA_ARCH_LIST: '9.0;10.0;12.0' },
      },
    ];
    for (const c of cells) {
      for (const arch of ['amd64', 'arm64']) {
        const twin = p.target[`${c.target}-${arch}`]!;
        expect(twin.args, `${c.target}-${arch}`).toEqual({ ...c.args, ...BUILD_SH_ARCH_ARGS[arch], ...(arch === 'arm64' ? c.arm64 : {}) });
        expect(twin.platforms).toEqual([`linux/${arch}`]);
      }
      // The multi-arch name builds both arches, each with its own args.
      expect(p.group[c.target]!.targets, c.target).toEqual([`${c.target}-amd64`, `${c.target}-arm64`]);
      expect(p.target[c.target], c.target).toBeUndefined();
    }
    // Each arm64 twin links the arm64 base.
    expect(p.target['runtime-vllm-cuda12-arm64']!.contexts).toEqual({ 'dynamo-base': 'target:base-cuda12-arm64' });
  });
});

describe('per-arch args', () => {
  it('builds a node as one multi-platform target while its arches agree, as its twins once they differ', async () => {
    const demo = await compileOk('matrix/demo.toml');
    const perArch = (name: string) => demo.plan.targets.find((t) => t.name === name)!.perArch;
    // The demo's [[when]] gives the arm64 wheels ARCH and ARCH_ALT: the wheels differ per arch,
    // and so does what copies them (runtime, and ci on it); busybox, the bases and backends do not.
    expect(perArch('wheel-cuda12')).toEqual({ args: ['ARCH', 'ARCH_ALT'], links: [] });
    expect(perArch('runtime-vllm-cuda12')).toEqual({ args: [], links: ['wheel-cuda12'] });
    expect(perArch('ci-vllm-cuda12')).toEqual({ args: [], links: ['runtime-vllm-cuda12', 'wheel-cuda12'] });
    expect(perArch('busybox')).toBeUndefined();
    expect(perArch('base-cuda12')).toBeUndefined();
    expect(perArch('backend-vllm-cuda12')).toBeUndefined();
    expect(demo.bake.targets.map((t) => t.name)).toContain('base-cuda12');
    expect(demo.bake.targets.map((t) => t.name)).not.toContain('wheel-cuda12');
  });

  it("explains where each twin's arch args come from, and why the node is built as its twins", async () => {
    const compiled = await compileOk(MATRIX);
    const twin = formatExplanation(explainTarget(compiled, 'runtime-trtllm-cuda13-arm64')!);
    expect(twin).toMatch(/^ {2}ARCH +?= "arm64" +<- axis\.arch\.values\.arm64\.args$/m);
    expect(twin).toMatch(/^ {2}TORCH_CUDA_ARCH_LIST = "9\.0;10\.0;12\.0" +<- when\[2\]\.args$/m);
    const node = formatExplanation(explainTarget(compiled, 'runtime-trtllm-cuda13')!);
    expect(node).toMatch(
      /^built as: +its twins, not one multi-platform target: args ARCH, ARCH_ALT, TORCH_CUDA_ARCH_LIST differ per arch; it links base-cuda13, built so/m,
    );
    expect(node).toMatch(/^tags:\n {2}\$\{REGISTRY\}\/dynamo:\$\{VERSION\}-trtllm-runtime-cuda13\n/m);
  });

  it("lint passes when the arm64 args are set, and names the arm64 images that get amd64's values when they are not", async () => {
    expect((await lintPlan((await compileOk(MATRIX)).plan, '.')).map(formatFinding)).toEqual([]);
    const repo = repoCopy(FILES);
    repo.edit(MATRIX, (t) => t.replace('[axis.arch.values.arm64]\nargs = { ARCH = "arm64", ARCH_ALT = "aarch64" }\n', ''));
    const found = (await lintPlan((await compileOk(repo.file(MATRIX))).plan, repo.root)).map(formatFinding);
    expect(found).toEqual([
      expect.stringMatching(
        /^test\/fixtures\/per-arch\/Dockerfile:6: stage\.base: ARG ARCH defaults to "amd64", an arch, and nothing sets it for arm64: the arm64 image gets amd64's value/,
      ),
      expect.stringMatching(/^test\/fixtures\/per-arch\/Dockerfile:7: stage\.base: ARG ARCH_ALT defaults to "x86_64", an arch, and nothing sets it for arm64/),
      expect.stringMatching(/^test\/fixtures\/per-arch\/Dockerfile\.framework:6: stage\.runtime: ARG ARCH defaults to "amd64"/),
      expect.stringMatching(/^test\/fixtures\/per-arch\/Dockerfile\.framework:7: stage\.runtime: ARG ARCH_ALT defaults to "x86_64"/),
    ]);
  });

  it('makes each twin its node for one arch: every field of the node, and only its name, arch, platforms, args, links and description its own', async () => {
    for (const file of [MATRIX, 'matrix/dynamo.toml', 'test/fixtures/matrices/composed.toml']) {
      const { plan } = await compileOk(file);
      const nodes = new Map(plan.targets.filter((t) => t.arch === undefined).map((t) => [t.name, t]));
      const twins = plan.targets.filter((t) => t.arch !== undefined);
      expect(twins.length, file).toBeGreaterThan(0);
      for (const twin of twins) {
        const node = nodes.get(twin.node)!;
        // The same fields in the same order: one hidden class for nodes and twins (plan-nodes.ts).
        expect(Object.keys(twin), twin.name).toEqual(Object.keys(node));
        const own = ['name', 'arch', 'archs', 'platforms', 'args', 'withheld', 'links', 'description', 'perArch'];
        for (const [k, v] of Object.entries(node)) if (!own.includes(k)) expect(twin[k as keyof typeof twin], `${twin.name}.${k}`).toBe(v);
        expect(
          twin.links.map((l) => ({ ...l, target: l.target.replace(new RegExp(`-${twin.arch}$`), '') })),
          twin.name,
        ).toEqual(node.links);
      }
    }
  });

  it('refuses two sources that set one arg of a twin, unless one is the more specific', async () => {
    const repo = repoCopy(FILES);
    repo.edit(MATRIX, (t) => t.replace('args = { CUDA_VERSION = "12.9.1" }', 'args = { CUDA_VERSION = "12.9.1", ARCH_ALT = "x86_64" }'));
    const r = cli(['compile', repo.file(MATRIX)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /axis\.arch\.values\.arm64\.args\.ARCH_ALT: arg "ARCH_ALT" of stage base \(cuda=12 arch=arm64\) is "x86_64" from axis\.cuda\.values\.12\.args and "aarch64" from axis\.arch\.values\.arm64\.args, and neither is the more specific/,
    );
  });

  it("bake --push merges each per-arch node's twins into its tags, on the levels path and in one bake", () => {
    const dry = cli(['bake', MATRIX, 'runtime-vllm-cuda12', '--push', '--dry-run'], { GIT_SHA: 'abc1234abc12' });
    expect(dry.status, dry.stderr).toBe(0);
    const merge = dry.stdout.split('\n').filter((l) => l.includes('imagetools create'));
    expect(merge).toEqual([
      expect.stringMatching(
        /-t nvcr\.io\/nvidia\/ai-dynamo\/dynamo:latest-vllm-runtime-cuda12 'localhost:5000\/per-arch\/cache@<digest-of-runtime-vllm-cuda12-amd64>' 'localhost:5000\/per-arch\/cache@<digest-of-runtime-vllm-cuda12-arm64>'$/,
      ),
    ]);
    // One bake: the twins push by digest to the image's repository, then the same merge.
    const one = cli(['bake', MATRIX, 'runtime-vllm-cuda12', '--one-bake', '--push', '--dry-run']);
    expect(one.status, one.stderr).toBe(0);
    const [, bake, oneMerge] = one.stdout.trim().split('\n');
    for (const arch of ['amd64', 'arm64'])
      expect(bake).toContain(
        ` --set runtime-vllm-cuda12-${arch}.output=type=image,name=nvcr.io/nvidia/ai-dynamo/dynamo,push-by-digest=true,name-canonical=true,push=true `,
      );
    expect(oneMerge).toMatch(
      /-t nvcr\.io\/nvidia\/ai-dynamo\/dynamo:latest-vllm-runtime-cuda12 'nvcr\.io\/nvidia\/ai-dynamo\/dynamo@<digest-of-runtime-vllm-cuda12-amd64>' 'nvcr\.io\/nvidia\/ai-dynamo\/dynamo@<digest-of-runtime-vllm-cuda12-arm64>'$/,
    );
  });

  it('one bake with a platform --set builds a per-arch node as its twin of that platform, and says so', () => {
    const r = cli(['bake', MATRIX, 'runtime-vllm-cuda12', 'base-cuda12', '--one-bake', '--set', '*.platform=linux/arm64', '--dry-run']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ --set '\*\.platform=linux\/arm64' runtime-vllm-cuda12-arm64 base-cuda12-arm64\n$/);
    expect(r.stderr).toContain(
      'matrixbake: runtime-vllm-cuda12, base-cuda12 are built as per-arch twins (args differ per arch): --set *.platform=linux/arm64 builds their arm64 twins\n',
    );
  });
});
