import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Bake resolves `context = "."` against its working directory: the repo holding the matrix. */
export function repoRoot(matrix: string): string {
  let dir = dirname(resolve(matrix));
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
