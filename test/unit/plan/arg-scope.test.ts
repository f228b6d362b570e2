import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diagnostics.js';
import { explainTarget } from '../../../src/explain/explain-target.js';
import { formatExplanation } from '../../../src/explain/format-explanation.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileText, emit, writeTemp } from '../../support/compile.js';

// `[arg.<NAME>] stages`: an arg reaches only the stages that read it, whichever key sets it.
// Dynamo's dev images get every framework arg and base pin today, and read none of them.

const matrix = (extra: string) => `
[project]
image = "dynamo"
args = { PYTHON_VERSION = "3.12" }

[matrix]
framework = ["vllm", "sglang"]
cuda = ["12", "13"]

[axis.cuda]
label = "cuda{value}"

[axis.cuda.values.12]
args = { BASE_IMAGE_TAG = "25.06-cuda12.9-devel-ubuntu24.04" }

[axis.cuda.values.13]
args = { BASE_IMAGE_TAG = "25.09-cuda13.0-devel-ubuntu24.04" }

[axis.framework.values.vllm]
args = { FRAMEWORK = "vllm", VLLM_REF = "v0.12.0" }

[axis.framework.values.sglang]
args = { FRAMEWORK = "sglang" }

[stage.base]
dockerfile = "Dockerfile"
axes = ["cuda"]

[stage.runtime]
dockerfile = "Dockerfile"
axes = ["framework", "cuda"]
uses = { base = "base" }

[stage.dev]
dockerfile = "Dockerfile"
axes = ["framework", "cuda"]
uses = { runtime = "runtime" }
${extra}
`;

const SCOPED = `
[arg.FRAMEWORK]
stages = ["runtime"]

[arg.BASE_IMAGE_TAG]
stages = ["base"]
`;

async function compiled(extra: string) {
  const { file, result } = await compileText(matrix(extra));
  if (!result.ok) throw new Error(result.errors.map(formatDiagnostic).join('\n'));
  return { file, value: result.value };
}

async function refused(extra: string): Promise<string[]> {
  const { result } = await compileText(matrix(extra));
  if (result.ok) throw new Error('compiled');
  return result.errors.map((d) => formatDiagnostic({ ...d, file: 'm.toml' }));
}

describe('[arg.<NAME>] stages', () => {
  it.skipIf(!BUILDX)('passes an arg only to the stages it names, whichever key sets it (buildx --print)', async () => {
    const { value } = await compiled(SCOPED);
    const p = bakePrint(writeTemp('docker-bake.hcl', emit(value, 'hcl')), ['all']);
    expect(p.target['base-cuda12']!.args).toEqual({ PYTHON_VERSION: '3.12', BASE_IMAGE_TAG: '25.06-cuda12.9-devel-ubuntu24.04' });
    expect(p.target['runtime-vllm-cuda12']!.args).toEqual({ PYTHON_VERSION: '3.12', FRAMEWORK: 'vllm', VLLM_REF: 'v0.12.0' });
    // dev reads neither the framework nor the base pin: it gets only what is not scoped away.
    expect(p.target['dev-vllm-cuda12']!.args).toEqual({ PYTHON_VERSION: '3.12', VLLM_REF: 'v0.12.0' });
    expect(p.target['dev-sglang-cuda13']!.args).toEqual({ PYTHON_VERSION: '3.12' });
  });

  it('says in the bake file and in explain what a target does not get, and why', async () => {
    const { value } = await compiled(SCOPED);
    const hcl = emit(value, 'hcl');
    expect(hcl).toContain(
      '# not passed here: BASE_IMAGE_TAG (arg.BASE_IMAGE_TAG.stages: base), FRAMEWORK (arg.FRAMEWORK.stages: runtime)\ntarget "dev-vllm-cuda12" {',
    );
    const text = formatExplanation(explainTarget(value, 'dev-vllm-cuda12')!);
    expect(text).toContain(
      'not passed (kept to other stages):\n  BASE_IMAGE_TAG <- axis.cuda.values.12.args        (arg.BASE_IMAGE_TAG.stages: base)\n  FRAMEWORK      <- axis.framework.values.vllm.args (arg.FRAMEWORK.stages: runtime)\n',
    );
  });

  it('refuses a scope that names no stage there is, an arg no key sets, and a stage arg outside its scope', async () => {
    expect(await refused('[arg.FRAMEWORK]\nstages = ["runtme"]\n')).toEqual([
      'm.toml: arg.FRAMEWORK.stages[0]: unknown stage "runtme" (did you mean "runtime"?) (hint: the stages: base, runtime, dev)',
    ]);
    expect(await refused('[arg.FRAMEWROK]\nstages = ["runtime"]\n')).toEqual([
      'm.toml: arg.FRAMEWROK: no key sets arg "FRAMEWROK", so there is nothing to keep to some stages (did you mean "FRAMEWORK"?) (hint: remove this table, or set the arg in project.args, an axis value, a [[when]] or a stage)',
    ]);
    const outside = matrix('[arg.FRAMEWORK]\nstages = ["runtime"]\n').replace(
      'uses = { runtime = "runtime" }\n',
      'uses = { runtime = "runtime" }\nargs = { FRAMEWORK = "any" }\n',
    );
    const { result } = await compileText(outside);
    expect(result.ok ? [] : result.errors.map((d) => formatDiagnostic({ ...d, file: 'm.toml' }))).toEqual([
      'm.toml: stage.dev.args.FRAMEWORK: stage dev sets "FRAMEWORK", but arg.FRAMEWORK.stages keeps it to runtime (hint: add "dev" to arg.FRAMEWORK.stages, or remove the arg from stage.dev.args)',
    ]);
  });
});
