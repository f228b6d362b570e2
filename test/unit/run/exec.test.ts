import { describe, expect, it } from 'vitest';
import { runCapture } from '../../../src/run/exec.js';

// Processes start in one place, src/run/exec.ts (biome.json refuses execa and child_process
// anywhere else), from a file and an argument array: no shell ever sees a matrix value, a tag or
// a variable, so none can be split, globbed or injected.

describe('how matrixbake runs other programs', () => {
  it('passes each argument as it is: no shell splits, expands or substitutes it', async () => {
    const hostile = ['$(echo injected)', '`echo injected`', '*', 'a b', "it's", '$HOME', 'x;echo injected', '"quoted"'];
    const r = await runCapture({ file: 'printf', args: ['%s\\n', ...hostile] }, { HOME: '/nowhere' });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(hostile);
  });

  it('gives the variables as the environment, not as text in a command line', async () => {
    const r = await runCapture({ file: 'sh', args: ['-c', 'printf %s "$MATRIXBAKE_PROBE"'] }, { MATRIXBAKE_PROBE: '$(echo injected) ; *' });
    expect(r.stdout).toBe('$(echo injected) ; *');
  });
});
