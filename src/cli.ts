#!/usr/bin/env node
import { runCli } from './cli/main.js';

// `matrixbake ... | head`: the reader left, which is no failure of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(`${s}\n`) }).then((code) => {
  process.exitCode = code;
});
