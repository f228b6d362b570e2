import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writeBakeFile } from '../../../src/write/write-bake-file.js';
import { BUILDX, type BakePrint } from '../../support/buildx.js';
import { compileOk } from '../../support/compile.js';
import { QUICK } from '../../support/depth.js';

// Each bake, release and CI job hands buildx a file of what it builds, cut from the same plan
// (src/bake/project.ts). A user relies on that file meaning exactly what the committed one does:
// buildx's `--print` of a target or group is the same JSON from either file.

const run = promisify(execFile);
const print = async (file: string, name: string): Promise<BakePrint> => {
  const { SOURCE_DATE_EPOCH: _drop, ...env } = process.env;
  const { stdout } = await run(BUILDX![0]!, [...BUILDX!.slice(1), 'bake', '-f', file, '--print', name], { env, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as BakePrint;
};

/** Two at a time: buildx is one process per print, and this machine has two cores. */
async function pairwise<T>(items: T[], f: (x: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    [0, 1].map(async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await f(x);
    }),
  );
}

describe.skipIf(!BUILDX)('the file one invocation reads', async () => {
  const compiled = await compileOk('matrix/dynamo.toml');
  const names = [...compiled.bake.groups.map((g) => g.name), ...compiled.bake.targets.map((t) => t.name)];
  // The quick pass (npm test) prints every seventh name; make test and CI print them all.
  const checked = QUICK ? names.filter((_, i) => i % 7 === 0) : names;

  it(`prints the same JSON as bake/docker-bake.hcl for ${QUICK ? 'a seventh' : 'every one'} of dynamo's ${names.length} targets and groups`, async () => {
    const differ: string[] = [];
    await pairwise(checked, async (name) => {
      const { file } = await writeBakeFile(compiled, [name]);
      const [whole, cut] = await Promise.all([print('bake/docker-bake.hcl', name), print(file, name)]);
      if (JSON.stringify(cut) !== JSON.stringify(whole)) differ.push(name);
    });
    expect(differ).toEqual([]);
  }, 120_000);

  it('holds only what the request builds, not the catalog', async () => {
    const { file, targets, of } = await writeBakeFile(compiled, ['runtime-vllm-cuda12']);
    // runtime-vllm-cuda12 links backend-vllm-cuda12, base-cuda12 and wheel-cuda12, nothing else.
    expect([targets, of]).toEqual([4, compiled.bake.targets.length]);
    const hcl = readFileSync(file, 'utf8');
    expect(hcl.match(/^target "[^"]+"/gm)?.sort()).toEqual([
      'target "backend-vllm-cuda12"',
      'target "base-cuda12"',
      'target "runtime-vllm-cuda12"',
      'target "wheel-cuda12"',
    ]);
    expect(hcl).not.toMatch(/^group /m);
  });

  it('keeps a requested group and the groups it lists', async () => {
    const { file } = await writeBakeFile(compiled, ['vllm']);
    const hcl = readFileSync(file, 'utf8');
    expect(hcl).toMatch(/^group "vllm"/m);
    expect(hcl).not.toMatch(/^group "all"/m);
  });
});
