import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every matrix the repo ships plus the fixture matrices: each is compiled and judged alike. */
export const MATRICES = [
  ...readdirSync('matrix')
    .filter((f) => f.endsWith('.toml'))
    .map((f) => join('matrix', f)),
  ...readdirSync('test/fixtures/matrices')
    .filter((f) => f.endsWith('.toml'))
    .map((f) => join('test/fixtures/matrices', f)),
];
