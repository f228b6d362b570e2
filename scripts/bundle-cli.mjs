#!/usr/bin/env node
// @ts-check
// The package's bin: src/cli.ts and its dependencies in one ES module (dist/cli.js by default).
// One file because most of a CLI start went to Node resolving, reading and compiling some 200
// modules (ours and zod's); one module is one read and one compile (bench/NOTES.md, Start-up).
// Each command is still imported when it runs (src/cli/run-command.ts): esbuild keeps those
// modules in the file but runs their top level only on that path.
//   node scripts/bundle-cli.mjs [--outfile FILE]
// It does not typecheck: `npm run build` and `make build` run tsc first.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = values.outfile ?? join(root, 'dist', 'cli.js');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const result = await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outfile,
  write: false,
  metafile: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  // package.json `engines`.
  target: 'node20.11',
  // Graphviz compiled to WebAssembly, 1.1 MB that every start would parse for `graph --format svg`
  // alone: it stays a dependency of the package, imported on that path only (src/emit/graph/render-svg.ts).
  external: ['@viz-js/viz'],
  // Whitespace and syntax only: the names stay, so an internal error's stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  // Known at build time: `--version` and the help read no package.json (src/cli/help.ts).
  define: { MATRIXBAKE_VERSION: JSON.stringify(version) },
  // Some dependencies are CommonJS and require Node's modules (cross-spawn under execa; @iarna/toml
  // through eval): an ES module has no `require` of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

mkdirSync(dirname(outfile), { recursive: true });
writeFileSync(outfile, `${result.outputFiles[0]?.text}${notices(Object.keys(result.metafile.inputs))}`);
chmodSync(outfile, 0o755);

/**
 * The licenses of the packages bundled, at the end of the file: their MIT and ISC licenses ask
 * that every copy carry them, and the file is the copy the package ships.
 * @param {string[]} inputs
 */
function notices(inputs) {
  const dirs = new Set(inputs.flatMap((f) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));
  const texts = [...dirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(join(root, dir)).find((f) => /^licen[cs]e/i.test(f));
    const text = file && existsSync(join(root, dir, file)) ? readFileSync(join(root, dir, file), 'utf8').trim() : `License: ${pkg.license}`;
    return `${pkg.name} ${pkg.version}\n\n${text}`;
  });
  return `/*\nThe packages bundled into this file, and their licenses:\n\n${texts.join('\n\n---\n\n').replaceAll('*/', '* /')}\n*/\n`;
}
