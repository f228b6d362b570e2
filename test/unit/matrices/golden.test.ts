import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciCommand } from '../../../src/commands/ci.js';
import { CI_FORMATS } from '../../../src/emit/ci/ci-emitters.js';
import { compileOk, emit } from '../../support/compile.js';
import { MATRICES } from '../../support/matrices.js';

// Reviewable diffs of what we emit: a change to the output shows up as a change to these files.
describe.each(MATRICES)('%s', (file) => {
  const name = basename(file, '.toml');
  // Dynamo's reviewed HCL is the committed bake file itself (`compile --check` guards it too).
  const hcl = name === 'dynamo' ? '../../../bake/docker-bake.hcl' : `../../golden/${name}.hcl`;
  it('compiles to the reviewed HCL', async () => {
    await expect(emit(await compileOk(file), 'hcl')).toMatchFileSnapshot(hcl);
  });
  it('compiles to the reviewed JSON', async () => {
    await expect(emit(await compileOk(file), 'json')).toMatchFileSnapshot(`../../golden/${name}.json`);
  });
  it('is deterministic: same input, same bytes', async () => {
    expect(emit(await compileOk(file), 'hcl')).toBe(emit(await compileOk(file), 'hcl'));
  });
});

// The CI fan-out of the demo, as GitHub Actions and GitLab read it, flat and by level.
describe('matrix/demo.toml CI fan-out', () => {
  const extension = { github: 'json', gitlab: 'yml' } as const;
  it.each(CI_FORMATS.flatMap((format) => [false, true].map((levels) => [format, levels] as const)))('%s, levels: %s', async (format, levels) => {
    const text = await ciCommand({ matrix: 'matrix/demo.toml', format, levels, warn: () => {} });
    await expect(text).toMatchFileSnapshot(`../../golden/demo-ci${levels ? '-levels' : ''}.${format}.${extension[format]}`);
  });
});
