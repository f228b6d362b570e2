import { describe, expect, it } from 'vitest';
import { cliRunner } from '../../support/cli-build.js';

// What `bake` and `release` are asked to build, checked before buildx runs: a misspelt target,
// variable or --set gets one line and exit 2, where buildx would fail later or not at all
// (an unknown --var is only environment to buildx, so a typo in PUSH_CACHE silently pushed nothing).

const cli = cliRunner();

describe('bake and release check what they are asked for', () => {
  const refused: [string[], RegExp][] = [
    [
      ['bake', 'matrix/demo.toml', 'runtime-vllm-cuda2', '--dry-run'],
      /^matrixbake: no target or group "runtime-vllm-cuda2" in matrix\/demo\.toml \(did you mean "runtime-vllm-cuda12"\?\)/,
    ],
    [['bake', 'matrix/demo.toml', 'vllm', 'nosuch', '--dry-run'], /^matrixbake: no target or group "nosuch" in matrix\/demo\.toml/],
    [
      ['bake', 'matrix/demo.toml', '--var', 'PUSH_CACH=true', '--dry-run'],
      /^matrixbake: --var PUSH_CACH: the bake file has no variable PUSH_CACH \(did you mean "PUSH_CACHE"\?\) \(it has REGISTRY, .*BUILD_NONCE, SOURCE_DATE_EPOCH\)/,
    ],
    [
      ['bake', 'matrix/demo.toml', '--set', 'platform=linux/amd64', '--dry-run'],
      /^matrixbake: --set needs TARGET\.KEY=VALUE \(e\.g\. --set '\*\.platform=linux\/amd64'\), got "platform=linux\/amd64"/,
    ],
    [
      ['bake', 'matrix/demo.toml', 'base-cuda12', '--set', 'wheel-cuda31.args.X=1', '--dry-run'],
      /^matrixbake: --set wheel-cuda31\.args\.X=1: no target or group "wheel-cuda31" in matrix\/demo\.toml \(did you mean "wheel-cuda12"\?\)/,
    ],
    [
      ['release', 'matrix/demo.toml', '--var', 'VERISON=v1', '--registry', 'localhost:5000/x', '--dry-run'],
      /^matrixbake: --var VERISON: .*\(did you mean "VERSION"\?\)/,
    ],
  ];
  it.each(refused)('refuses %j in one line, exit 2', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(message)]);
    expect(r.stdout).toBe('');
  });

  it('passes a --set to buildx only for what the request builds: one for another target of the matrix changes nothing', () => {
    // The request's own bake file holds base-cuda12 and the busybox it links; buildx would refuse a --set naming wheel-cuda13.
    const r = cli([
      'bake',
      'matrix/demo.toml',
      'base-cuda12',
      '--one-bake',
      '--set',
      'wheel-cuda13.args.X=1',
      '--set',
      'base-cuda12.args.Y=2',
      '--set',
      '*.args.Z=3',
      '--',
      '--print',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as { target: Record<string, { args: Record<string, string> }> };
    expect(Object.keys(printed.target).sort()).toEqual(['base-cuda12', 'busybox']);
    expect(printed.target['base-cuda12']!.args).toMatchObject({ Y: '2', Z: '3' });
    expect(printed.target['base-cuda12']!.args.X).toBeUndefined();
  });

  it('prints what buildx prints for `-- --print` and nothing more: no summary of targets never built', () => {
    // `make all_print`. buildx needs no builder to evaluate the file.
    const r = cli(['bake', 'matrix/dynamo.toml', 'all', '--', '--print']);
    expect(r.status, r.stderr).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).target)).toContain('runtime-vllm-cuda12');
    expect(r.stderr).not.toMatch(/^matrixbake|not built|^TARGET /m);
  });

  it('takes targets, groups, per-arch twins, declared variables, SOURCE_DATE_EPOCH and target patterns', () => {
    const r = cli([
      'bake',
      'matrix/demo.toml',
      'vllm',
      'runtime-sglang-cuda13-arm64',
      '--one-bake',
      '--var',
      'BUILD_NONCE=x',
      '--var',
      'SOURCE_DATE_EPOCH=0',
      '--set',
      '*.platform=linux/amd64',
      '--dry-run',
    ]);
    expect(r.status, r.stderr).toBe(0);
    // The group's nodes built per arch (the demo's per-arch wheels) become their amd64 twins.
    expect(r.stdout).toMatch(
      /BUILD_NONCE=x SOURCE_DATE_EPOCH=0 docker buildx bake -f \S+ --set '\*\.platform=linux\/amd64' backend-vllm-cuda12 backend-vllm-cuda13 runtime-vllm-cuda12-amd64 runtime-vllm-cuda13-amd64 ci-vllm-cuda12-amd64 ci-vllm-cuda13-amd64 runtime-sglang-cuda13-arm64\n$/,
    );
    // In levels (the default), a platform picks the twins to build; it is not passed on.
    const levels = cli(['bake', 'matrix/demo.toml', 'vllm', '--set', '*.platform=linux/amd64', '--dry-run']);
    expect(levels.status, levels.stderr).toBe(0);
    expect(levels.stdout).not.toContain('platform');
    expect(levels.stdout).toContain(' ci-vllm-cuda12-amd64 ci-vllm-cuda13-amd64\n');
    expect(levels.stdout).not.toMatch(/-arm64( |\n|$)/);
    const bad = cli(['bake', 'matrix/demo.toml', 'vllm', '--set', '*.platform=linux/sparc', '--dry-run']);
    expect([bad.status, bad.stdout]).toEqual([2, '']);
    expect(bad.stderr).toBe(
      'matrixbake: --set *.platform=linux/sparc: the matrix builds linux/amd64, linux/arm64, not "linux/sparc" (see matrixbake help bake)\n',
    );
  });
});
