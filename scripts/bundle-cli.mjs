#!/usr/bin/env node
// @ts-check
// The package's bin: src/cli.ts and its dependencies in one file (dist/cli.js by default), with
// a V8 code cache of itself. One file because most of a CLI start went to Node resolving, reading
// and compiling some 200 modules (ours and zod's); the code cache because most of what was left
// went to compiling that one file (bench/NOTES.md, Start-up).
// Each command is still imported when it runs (src/cli/run-command.ts): esbuild keeps those
// modules in the file but runs their top level only on that path.
//   node scripts/bundle-cli.mjs [--outfile FILE]
// It does not typecheck: `npm run build` and `make build` run tsc first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outfile: { type: 'string' } } });
const outfile = values.outfile ?? join(root, 'dist', 'cli.js');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const result = await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  write: false,
  metafile: true,
  bundle: true,
  platform: 'node',
  // CommonJS, which Node compiles through vm.Script: a script, unlike an ES module, takes a code cache.
  format: 'cjs',
  // package.json `engines`.
  target: 'node20.11',
  // import() of Graphviz as require(): a script compiled from a code cache has lost the callback
  // Node's import() needs (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING). The package has a CommonJS build.
  supported: { 'dynamic-import': false },
  // Graphviz compiled to WebAssembly, 1.1 MB that every start would parse for `graph --format svg`
  // alone: it stays a dependency of the package, imported on that path only (src/emit/graph/render-svg.ts).
  external: ['@viz-js/viz'],
  // Whitespace and syntax only: the names stay, so an internal error's stack trace still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  // Known at build time: `--version` and the help read no package.json (src/cli/help.ts). The
  // sources are ES modules; in the bundle their folder is the bin's.
  define: { MATRIXBAKE_VERSION: JSON.stringify(version), 'import.meta.dirname': '__dirname' },
  logLevel: 'warning',
});

// What the bin runs (and the build's training run below). The script's name is the same wherever
// the bin is: V8 keeps the name of the script that made the cache, the training run's.
// V8 takes a code cache only from its own version under the same flags, and a user's Node is
// seldom the one that built the package: there the bin uses a cache of the user's own, made at the
// exit of its first run under that Node (docs/CONTRIBUTING.md, "Building"). It is made again when
// V8 refuses it, or when it holds less than half of what the built-in one does (a first run of
// `--help` compiled little of the bundle).
const RUN = `const { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { isAbsolute, join } = require('node:path');
const own = ownCache();
const script = new (require('node:vm').Script)(BUNDLE, { filename: 'matrixbake-bundle.js', cachedData: own?.data ?? Buffer.from(CODE_CACHE, 'base64') });
if (own && (script.cachedDataRejected || (own.data && own.data.length < (CODE_CACHE.length * 3) / 8))) process.on('exit', () => own.save(script.createCachedData()));
script.runInThisContext()(module.exports, require, module, __filename, __dirname);
function ownCache() {
  if (process.env.MATRIXBAKE_NO_CODE_CACHE) return undefined;
  const xdg = process.env.XDG_CACHE_HOME;
  const dir = join(xdg && isAbsolute(xdg) ? xdg : join(require('node:os').homedir(), '.cache'), 'matrixbake');
  const file = join(dir, \`code-\${BUNDLE_ID}-v8-\${process.versions.v8}-\${process.arch}\`);
  const save = (data) => {
    const tmp = \`\${file}.\${process.pid}.tmp\`;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, data, { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      try {
        rmSync(tmp, { force: true });
      } catch {}
    }
  };
  // Compiled code runs as this user, and V8 checks no sum of it: a file someone else could have
  // written is not read (it is made again).
  let data;
  try {
    const st = statSync(file);
    if ((!process.getuid || st.uid === process.getuid()) && (st.mode & 0o022) === 0) data = readFileSync(file);
  } catch {}
  return { data, save };
}`;

// The bundle as Node would wrap a CommonJS module: a function of (exports, require, module, __filename, __dirname).
const source = Module.wrap(result.outputFiles[0]?.text.replace(/^#!.*\n/, '') ?? '');
mkdirSync(dirname(outfile), { recursive: true });
// The bin is CommonJS wherever it is: package.json says "type": "module" for the repository's own sources.
writeFileSync(join(dirname(outfile), 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(outfile, bin(source, codeCache(source, outfile)) + notices(Object.keys(result.metafile.inputs)));
chmodSync(outfile, 0o755);

/**
 * The bin: the bundle as a string, compiled with the code cache when this Node's V8 accepts it
 * (the same V8 version and flags as the build's); otherwise V8 compiles it as it would without.
 * @param {string} source
 * @param {Buffer} cache
 */
function bin(source, cache) {
  return `#!/usr/bin/env node
// matrixbake ${version}: the bundle of its sources (scripts/bundle-cli.mjs), and V8's compiled code of it.
'use strict';
const BUNDLE = ${JSON.stringify(source)};
const BUNDLE_ID = ${JSON.stringify(`${version}-${createHash('sha256').update(source).digest('hex').slice(0, 16)}`)};
const CODE_CACHE = ${JSON.stringify(cache.toString('base64'))};
${RUN}
`;
}

/**
 * V8's code cache of the bundle after one `compile` of matrix/dynamo.toml: the functions that run
 * were compiled then, and the cache holds them. Made by a plain `node` (no NODE_OPTIONS): V8 takes
 * a cache made under the flags it runs with.
 * @param {string} source
 * @param {string} binPath
 */
function codeCache(source, binPath) {
  const work = mkdtempSync(join(tmpdir(), 'matrixbake-code-cache-'));
  try {
    const trainee = join(work, 'cli.js');
    writeFileSync(join(work, 'package.json'), '{ "type": "commonjs" }\n');
    writeFileSync(
      trainee,
      `${bin(source, Buffer.alloc(0))}process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(work, 'cache'))}, script.createCachedData()));\n`,
    );
    // The trainee makes the built-in cache: it neither reads nor writes a cache of the user's.
    const { NODE_OPTIONS: _, ...rest } = process.env;
    const env = { ...rest, MATRIXBAKE_NO_CODE_CACHE: '1' };
    const run = spawnSync(process.execPath, [trainee, 'compile', join(root, 'matrix', 'dynamo.toml'), '-o', join(work, 'out.hcl')], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`the bundle's training run (compile matrix/dynamo.toml) failed (${binPath}): ${run.stderr || run.error}`);
    return readFileSync(join(work, 'cache'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

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
