import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A throwaway repo holding copies of some of this repo's files, to break on purpose.
 * `.git` marks its root, as for the real one (bake's context is resolved there).
 */
export function repoCopy(paths: string[]): { root: string; edit(path: string, change: (text: string) => string): void; file(path: string): string } {
  const root = mkdtempSync(join(tmpdir(), 'mb-repo-'));
  mkdirSync(join(root, '.git'));
  for (const p of paths) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    cpSync(p, join(root, p), { recursive: true });
  }
  return {
    root,
    file: (p) => join(root, p),
    edit(p, change) {
      const before = readFileSync(join(root, p), 'utf8');
      const after = change(before);
      if (after === before) throw new Error(`edit of ${p} changed nothing: the test no longer breaks what it means to`);
      writeFileSync(join(root, p), after);
    },
  };
}
