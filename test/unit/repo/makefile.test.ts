import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// What each make target installs, read from `make -n -B` (every recipe printed as if out of date,
// none run). A first `make demo` spent most of its 952 s building syft and actionlint from
// source, which only the tests use.

const recipe = (target: string) => {
  const r = spawnSync('make', ['-n', '-B', target], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\n');
};
const installs = (lines: string[]) => lines.filter((l) => l.includes('install-toolchain.sh'));

describe('make targets install only what they use', () => {
  it('demo and bake build buildx and buildkitd, not the test tools', () => {
    for (const target of ['demo', 'bake']) expect(installs(recipe(target)), target).toEqual(['bash scripts/install-toolchain.sh --buildkit']);
  });

  it('test installs the workflow linter and the SBOM generator as well', () => {
    expect(installs(recipe('test'))).toContain('bash scripts/install-toolchain.sh --buildkit --actionlint --syft');
  });
});
