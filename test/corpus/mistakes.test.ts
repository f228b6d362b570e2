import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { compileText } from '../support/compile.js';

// A new user's mistakes: each gets one clear message naming the key path (and the fix).

const GOOD = `
[project]
image = "dynamo"
[matrix]
framework = ["vllm", "sglang"]
cuda = ["12", "13"]
arch = ["amd64", "arm64"]
[axis.framework.values.vllm]
dockerfile = "Dockerfile.vllm"
[axis.framework.values.sglang]
dockerfile = "Dockerfile.sglang"
[stage.base]
dockerfile = "Dockerfile"
axes = ["cuda"]
[stage.backend]
axes = ["framework", "cuda"]
uses = { dynamo-base = "base" }
`;

const CASES: [string, string, RegExp][] = [
  ['a TOML syntax error', GOOD.replace('image = "dynamo"', 'image = dynamo'), /matrix\.toml:3:9: TOML syntax error/],
  ['a typo in a section', `${GOOD}\n[stages.x]\n`, /^.*: stages: unknown key "stages" \(did you mean "stage"\?\)/],
  ['a typo in a stage key', GOOD.replace('uses =', 'usse ='), /stage\.backend\.usse: unknown key "usse" \(did you mean "uses"\?\)/],
  ['a wrong type', GOOD.replace('image = "dynamo"', 'image = 3'), /project\.image: expected a string, got a number 3 \(hint: quote it: image = "3"\)/],
  ['an empty axis', GOOD.replace('cuda = ["12", "13"]', 'cuda = []'), /matrix\.cuda: an axis needs at least one value/],
  ['a duplicate value', GOOD.replace('cuda = ["12", "13"]', 'cuda = ["12", "12"]'), /matrix\.cuda\[1\]: duplicate value "12"/],
  [
    'an unknown stage in uses',
    GOOD.replace('dynamo-base = "base"', 'dynamo-base = "bse"'),
    /stage\.backend\.uses\.dynamo-base: unknown stage "bse" \(did you mean "base"\?\)/,
  ],
  [
    'a use of a wider stage',
    GOOD.replace('[stage.base]\ndockerfile = "Dockerfile"\naxes = ["cuda"]', '[stage.base]\ndockerfile = "Dockerfile"\naxes = ["cuda", "framework"]').replace(
      'axes = ["framework", "cuda"]\nuses',
      'axes = ["cuda"]\ndockerfile = "D"\nuses',
    ),
    /stage\.backend\.uses\.dynamo-base: stage "base" varies over "framework"/,
  ],
  ['a cycle', `${GOOD}\n[stage.a]\ndockerfile = "D"\nuses = { b = "b" }\n[stage.b]\ndockerfile = "D"\nuses = { a = "a" }\n`, /dependency cycle: a -> b -> a/],
  ['an unknown arch', GOOD.replace('arch = ["amd64", "arm64"]', 'arch = ["amd64", "aarch64"]'), /matrix\.arch\[1\]: unknown arch "aarch64"/],
  ['arch in a stage', GOOD.replace('axes = ["cuda"]', 'axes = ["cuda", "arch"]'), /stage\.base\.axes\[1\]: arch is implicit/],
  ['an unknown axis in a stage', GOOD.replace('axes = ["cuda"]', 'axes = ["cdua"]'), /stage\.base\.axes\[0\]: unknown axis "cdua" \(did you mean "cuda"\?\)/],
  [
    'an exclude without reason',
    `${GOOD.replace('[axis.framework', '[[matrix.exclude]]\nframework = "vllm"\n[axis.framework')}`,
    /matrix\.exclude\[0\]\.reason: every exclude needs a reason/,
  ],
  [
    'an exclude of an unknown value',
    GOOD.replace('[axis.framework', '[[matrix.exclude]]\nframework = "vlm"\nreason = "x"\n[axis.framework'),
    /matrix\.exclude\[0\]\.framework: "vlm" is not a value of matrix\.framework \(did you mean "vllm"\?\)/,
  ],
  [
    'an exclude of everything',
    GOOD.replace('[axis.framework', '[[matrix.exclude]]\ncuda = ["12", "13"]\nreason = "x"\n[axis.framework'),
    /matrix\.exclude\[0\]: the excludes remove all 8 cells/,
  ],
  [
    'a credential arg',
    GOOD.replace('[stage.base]', '[stage.base]\nargs = { HF_TOKEN = "x" }'),
    /stage\.base\.args\.HF_TOKEN: arg "HF_TOKEN" looks like a credential \(hint: pass credentials as BuildKit secrets/,
  ],
  ['an AWS key as an arg', GOOD.replace('[stage.base]', '[stage.base]\nargs = { AWS_ACCESS_KEY_ID = "x" }'), /looks like a credential/],
  [
    'a credential value',
    GOOD.replace('[stage.base]', '[stage.base]\nargs = { KEY_ID = "AKIAABCDEFGHIJKLMNOP" }'),
    /the value of arg "KEY_ID" looks like an AWS access key id/,
  ],
  // A switch-worded name with a value that is no switch's is still a credential's slot.
  [
    'a switch-worded credential with a value',
    GOOD.replace('[stage.base]', '[stage.base]\nargs = { USE_TOKEN = "abc123" }'),
    /stage\.base\.args\.USE_TOKEN: arg "USE_TOKEN" looks like a credential/,
  ],
  ['an empty credential arg', GOOD.replace('[stage.base]', '[stage.base]\nargs = { NO_AUTH_TOKEN = "" }'), /arg "NO_AUTH_TOKEN" looks like a credential/],
  [
    'a dockerfile outside the repo',
    GOOD.replace('dockerfile = "Dockerfile"\n', 'dockerfile = "../../etc/Dockerfile"\n'),
    /stage\.base\.dockerfile: "\.\.\/\.\.\/etc\/Dockerfile" escapes the repository/,
  ],
  [
    'a stage without a Dockerfile',
    GOOD.replace('[axis.framework.values.sglang]\ndockerfile = "Dockerfile.sglang"', ''),
    /stage\.backend\.dockerfile: no Dockerfile for this stage/,
  ],
  [
    'an invalid label',
    GOOD.replace('[stage.base]', '[axis.cuda]\nlabel = "cuda.{value}"\n[stage.base]'),
    /axis\.cuda\.label: label "cuda\.\{value\}" makes "cuda\.12" for value "12", which is not a valid bake target name/,
  ],
  [
    'a group named like a target',
    `${GOOD}\n[stage.vllm]\ndockerfile = "D"\n`,
    /stage\.vllm: target "vllm" has the name of group "vllm" \(every image with framework=vllm\), and bake would build the group instead/,
  ],
  [
    'a value label equal to a stage',
    GOOD.replace('[stage.base]', '[axis.cuda.values.12]\nlabel = "backend"\n[stage.base]'),
    /two different groups would be named "backend"/,
  ],
  [
    'an unknown variable',
    GOOD.replace('[stage.base]', '[stage.base]\nvariables = ["USER_UDI"]'),
    /stage\.base\.variables\[0\]: unknown bake variable "USER_UDI" \(did you mean "USER_UID"\?\)/,
  ],
  [
    'a string HCL would change (not NFC)',
    GOOD.replace('image = "dynamo"', 'image = "dynamo"\ndescription = "\uF900"'),
    /project\.description: string is not in Unicode NFC form/,
  ],
  [
    'a [ci.runners] key that is no arch',
    `${GOOD}\n[ci.runners]\namd46 = "x"\n`,
    /ci\.runners\.amd46: "amd46" \(runner "x"\) is not a value of matrix\.arch \(did you mean "amd64"\?\) \(hint: runner keys are the arch values: amd64, arm64\)/,
  ],
  ['a [ci.runners] key written as uname -m says', `${GOOD}\n[ci.runners]\naarch64 = "x"\n`, /ci\.runners\.aarch64: .* \(did you mean "arm64"\?\)/],
  ['a typo in [ci]', `${GOOD}\n[ci]\nrunner = { amd64 = "x" }\n`, /ci\.runner: unknown key "runner" \(did you mean "runners"\?\)/],
  [
    'an unknown sccache auth',
    `${GOOD}\n[sccache]\nbucket = "b"\nregion = "r"\nauth = "keys"\n`,
    /sccache\.auth: unknown value "keys" \(hint: use one of "static", "oidc", "none"\)/,
  ],
];

describe('bad input', () => {
  it.each(CASES)('%s', async (_what, toml, expected) => {
    const { file, result } = await compileText(toml);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.map(formatDiagnostic).join('\n');
    expect(text).toMatch(expected);
    expect(text.startsWith(file)).toBe(true);
  });

  it('accepts the good matrix the cases start from', async () => {
    expect((await compileText(GOOD)).result.ok).toBe(true);
  });
});

describe('a key named like a JavaScript object member', () => {
  it('is refused, and leaves nothing behind for the next matrix of the process', async () => {
    for (const header of ['[stage.constructor]', '[stage.__proto__]', '[stage.toString]']) {
      const { result } = await compileText(`${GOOD}\n${header}\ndockerfile = "x"\npolluted = true\n`);
      expect(result.ok, header).toBe(false);
    }
    // The parser wrote through them (Object.dockerfile, Object.prototype.polluted): all undone.
    expect(Object.getOwnPropertyNames(Object)).not.toContain('dockerfile');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype.toString)).not.toContain('polluted');
    expect((await compileText(GOOD)).result.ok).toBe(true);
  });
});
