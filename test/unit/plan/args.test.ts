import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { explainTarget } from '../../../src/explain/explain-target.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileText, emit, writeTemp } from '../../support/compile.js';

// Args for combinations of axis values ([[when]]), as Dynamo's build.sh picks a base image per
// framework x CUDA: TensorRT-LLM on CUDA 13 builds its runtime on NGC's PyTorch image. Which value
// a target gets never depends on the order of [matrix]; buildx --print is the judge.

const matrix = (order: string) => `
[project]
image = "dynamo"
args = { BASE_IMAGE = "nvcr.io/nvidia/cuda-dl-base" }

[matrix]
${order}

[[matrix.exclude]]
framework = "trtllm"
cuda = "12"
reason = "TensorRT-LLM publishes CUDA 13 builds only"

[axis.cuda.values.12]
args = { BASE_IMAGE_TAG = "25.01-cuda12.8-devel-ubuntu24.04" }

[axis.cuda.values.13]
args = { BASE_IMAGE_TAG = "25.10-cuda13.0-devel-ubuntu24.04" }

[[when]]
framework = "trtllm"
cuda = "13"
stages = ["runtime"]
args = { BASE_IMAGE = "nvcr.io/nvidia/pytorch", BASE_IMAGE_TAG = "25.10-py3" }

[stage.base]
dockerfile = "Dockerfile"
axes = ["cuda"]

[stage.runtime]
dockerfile = "Dockerfile"
axes = ["framework", "cuda"]
uses = { base = "base" }
`;

async function compiled(order: string) {
  const { result } = await compileText(matrix(order));
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  return result.value;
}

/** Each node's args as buildx prints them, keyed by its stage and axis values (names follow the axis order). */
function printedArgs(c: Awaited<ReturnType<typeof compiled>>): Record<string, Record<string, string>> {
  const file = writeTemp('docker-bake.hcl', emit(c, 'hcl'));
  const p = bakePrint(file, ['all']);
  const nodes = c.plan.targets.filter((t) => t.arch === undefined);
  return Object.fromEntries(
    nodes.map((t) => [
      `${t.stage} ${Object.entries(t.values)
        .sort()
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      p.target[t.name]!.args as Record<string, string>,
    ]),
  );
}

describe.skipIf(!BUILDX)('[[when]]: args for combinations of axis values', () => {
  it("gives TensorRT-LLM on CUDA 13 its own base image, and every other cell the project's", async () => {
    const args = printedArgs(await compiled('framework = ["vllm", "trtllm"]\ncuda = ["12", "13"]'));
    expect(args['runtime cuda=13 framework=trtllm']).toEqual({ BASE_IMAGE: 'nvcr.io/nvidia/pytorch', BASE_IMAGE_TAG: '25.10-py3' });
    expect(args['runtime cuda=13 framework=vllm']).toEqual({ BASE_IMAGE: 'nvcr.io/nvidia/cuda-dl-base', BASE_IMAGE_TAG: '25.10-cuda13.0-devel-ubuntu24.04' });
    expect(args['runtime cuda=12 framework=vllm']).toEqual({ BASE_IMAGE: 'nvcr.io/nvidia/cuda-dl-base', BASE_IMAGE_TAG: '25.01-cuda12.8-devel-ubuntu24.04' });
    // `stages = ["runtime"]`: the base of CUDA 13 is shared by every framework and keeps its args.
    expect(args['base cuda=13']).toEqual({ BASE_IMAGE: 'nvcr.io/nvidia/cuda-dl-base', BASE_IMAGE_TAG: '25.10-cuda13.0-devel-ubuntu24.04' });
  });

  it('gives every target the same args whatever the order of the axes', async () => {
    const a = printedArgs(await compiled('framework = ["vllm", "trtllm"]\ncuda = ["12", "13"]'));
    const b = printedArgs(await compiled('cuda = ["12", "13"]\nframework = ["vllm", "trtllm"]'));
    expect(b).toEqual(a);
  });

  it('explain shows every value an arg had, and which key won', async () => {
    const c = await compiled('framework = ["vllm", "trtllm"]\ncuda = ["12", "13"]');
    const x = explainTarget(c, 'runtime-trtllm-13')!;
    expect(x.args.find((arg) => arg.name === 'BASE_IMAGE_TAG')).toMatchObject({
      from: 'when[0].args',
      value: '25.10-py3',
      over: [{ from: 'axis.cuda.values.13.args', value: '25.10-cuda13.0-devel-ubuntu24.04' }],
    });
    expect(x.args.find((arg) => arg.name === 'BASE_IMAGE')).toMatchObject({
      from: 'when[0].args',
      over: [{ from: 'project.args', value: 'nvcr.io/nvidia/cuda-dl-base' }],
    });
  });
});

describe.skipIf(!BUILDX)('variable_args: a bake variable passed under another arg name', () => {
  it("passes GIT_SHA as DYNAMO_COMMIT_SHA and MAX_JOBS as max_jobs, as Dynamo's and vLLM's Dockerfiles read them", async () => {
    const { result } = await compileText(`
[project]
image = "dynamo"

[matrix]
cuda = ["13"]

[stage.runtime]
dockerfile = "Dockerfile"
variable_args = { DYNAMO_COMMIT_SHA = "GIT_SHA", max_jobs = "MAX_JOBS" }

[variables]
MAX_JOBS = "16"
`);
    if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
    const file = writeTemp('docker-bake.hcl', emit(result.value, 'hcl'));
    expect(bakePrint(file, ['runtime'], { GIT_SHA: '0123abc' }).target.runtime!.args).toEqual({ DYNAMO_COMMIT_SHA: '0123abc', max_jobs: '16' });
    expect(bakePrint(file, ['runtime'], { GIT_SHA: '0123abc', MAX_JOBS: '64' }).target.runtime!.args).toEqual({ DYNAMO_COMMIT_SHA: '0123abc', max_jobs: '64' });
    const x = explainTarget(result.value, 'runtime')!;
    expect(x.args.find((a) => a.name === 'max_jobs')).toMatchObject({ from: 'stage.runtime.variable_args', variable: { name: 'MAX_JOBS', default: '"16"' } });
  });
});
