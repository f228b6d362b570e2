import type { CommandSpec } from '../spec.js';

export const version = {
  usage: [''],
  summary: 'The release version of this checkout.',
  description: [
    'The release version of the checkout, what `release` and `promote` use without --version: v<tag> on a tag, else v<last tag>.dev.<short sha>. (`matrixbake --version` is the version of matrixbake.)',
  ],
  positionals: {},
  flags: {},
  examples: [{ run: 'matrixbake version' }],
  featured: false,
} as const satisfies CommandSpec;
