import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// A module holds one job and fits in a read: a file over 200 lines is two jobs, or one that wants
// a helper module (docs/CONTRIBUTING.md, "Tests"). The next engineer finds the step by its name.

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('the source tree', () => {
  it('has no module over 200 lines', () => {
    const long = sources('src')
      .map((f) => [f, readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, n]) => n > 200);
    expect(long).toEqual([]);
  });
});
