import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Processes start in one place, src/run/exec.ts, from an argument array: no shell ever sees a
// matrix value, a tag or an environment variable, so none can be split, globbed or injected.

const sources = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

describe('how matrixbake runs other programs', () => {
  it('only src/run/exec.ts starts processes', () => {
    const starters = sources('src').filter((f) => /from 'execa'|from 'node:child_process'|require\(['"]child_process/.test(readFileSync(f, 'utf8')));
    expect(starters).toEqual(['src/run/exec.ts']);
  });

  it('and always with a file and an argument array, never a shell or a command string', () => {
    const exec = readFileSync('src/run/exec.ts', 'utf8');
    expect(exec).not.toMatch(/shell\s*:|execaCommand|execaSync|\$`|\$\(/);
    const calls = [...exec.matchAll(/execa\(([^,]+),\s*([^,]+),/g)].map((m) => [m[1]!.trim(), m[2]!.trim()]);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    for (const [file, args] of calls) {
      expect(file).toMatch(/^(file|cmd\.file)$/);
      expect(args).toMatch(/^(args|cmd\.args)$/);
    }
  });
});
