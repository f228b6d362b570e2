import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../src/run/exec.js';

// How compile cost grows with the matrix: synthetic matrices of N cells (a base stage over one
// axis, an app stage over two that uses it), compiled by the bundled CLI as a user runs it, the
// bin itself (wall time includes Node's start), and the output evaluated by buildx next to the
// same cells written as a native bake `matrix` block.

export interface Synthetic {
  cells: number;
  matrix: string;
  native: string;
}

/**
 * N cells: axis a with N/10 values x axis b with 10 (N = 10 has a single a value). With `arch`,
 * as CI fans them out: b has 5 values and arch is amd64 and arm64, still N cells. With `cache`,
 * a registry cache with a fallback branch, as every catalog CI builds has: each target then
 * reads its twins' refs, which a search per target once made quadratic.
 */
export function synthetic(dir: string, cells: number, o: { arch?: boolean; cache?: boolean } = {}): Synthetic {
  mkdirSync(dir, { recursive: true });
  const as = Array.from({ length: Math.max(1, cells / 10) }, (_, i) => `a${i}`);
  const bs = Array.from({ length: Math.min(o.arch ? 5 : 10, cells) }, (_, i) => `b${i}`);
  const list = (xs: string[]) => `[${xs.map((x) => `"${x}"`).join(', ')}]`;
  const suffix = `${o.arch ? '-arch' : ''}${o.cache ? '-cache' : ''}`;
  const matrix = join(dir, `synthetic-${cells}${suffix}.toml`);
  writeFileSync(
    matrix,
    [
      '[project]',
      'image = "img"',
      'registry = "r.example/ns"',
      '[matrix]',
      `a = ${list(as)}`,
      `b = ${list(bs)}`,
      ...(o.arch ? ['arch = ["amd64", "arm64"]'] : []),
      '[stage.base]',
      'dockerfile = "Dockerfile"',
      'axes = ["a"]',
      '[stage.app]',
      'dockerfile = "Dockerfile"',
      'axes = ["a", "b"]',
      'uses = { base = "base" }',
      'publish = true',
      ...(o.cache ? ['[cache]', 'registry = "r.example/cache"', 'fallback = ["main"]'] : []),
      '',
    ].join('\n'),
  );
  // What a hand-written bake file would say for the same app cells: one target with a matrix.
  const native = join(dir, `native-${cells}${suffix}.hcl`);
  writeFileSync(
    native,
    [
      'variable "REGISTRY" { default = "r.example/ns" }',
      'variable "VERSION" { default = "latest" }',
      'target "app" {',
      '  name = "app-${a}-${b}"',
      `  matrix = { a = ${list(as)}, b = ${list(bs)} }`,
      '  dockerfile = "Dockerfile"',
      '  target = "app"',
      '  contexts = { base = "target:base-${a}" }',
      '  labels = { "org.opencontainers.image.title" = "img-${a}-app-${b}" }',
      '  tags = ["${REGISTRY}/img:${VERSION}-${a}-app-${b}", "${REGISTRY}/img:latest-${a}-app-${b}"]',
      '}',
      'target "base" {',
      '  name = "base-${a}"',
      `  matrix = { a = ${list(as)} }`,
      '  dockerfile = "Dockerfile"',
      '  target = "base"',
      '}',
      'group "all" { targets = ["app", "base"] }',
      '',
    ].join('\n'),
  );
  return { cells, matrix, native };
}

/** Wall time of `matrixbake compile` (Node start included): the bin run by its shebang, or by the `node` given. */
export function compileMs(cli: string, s: Synthetic, out: string, node?: string): number {
  const args = ['compile', s.matrix, '-o', out];
  return node ? timedSpawn(node, [cli, ...args]) : timedSpawn(cli, args);
}

/** Peak RSS (KiB) of one compile: the CLI run inside a process that reports its own maxRSS. */
export function compilePeakRssKiB(cli: string, s: Synthetic, out: string): number {
  const probe = `process.on('exit', () => process.stderr.write('maxrss=' + process.resourceUsage().maxRSS + '\\n')); process.argv = [process.argv[0], ${JSON.stringify(cli)}, 'compile', ${JSON.stringify(s.matrix)}, '-o', ${JSON.stringify(out)}]; await import(${JSON.stringify(cli)});`;
  const r = spawnSync('node', ['--input-type=module', '-e', probe], { encoding: 'utf8' });
  const m = /maxrss=(\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`compile ${s.matrix} failed: ${r.stderr}`);
  return Number(m[1]);
}

/** Wall time of `docker buildx bake -f FILE --print all`. */
export function printMs(buildx: Command, file: string): number {
  return timedSpawn(buildx.file, [...buildx.args, 'bake', '-f', file, '--print', 'all']);
}

/** Wall time of one run, its output read and dropped; a failure stops the bench. */
export function timedSpawn(file: string, args: string[], cwd?: string): number {
  const t = performance.now();
  const r = spawnSync(file, args, { encoding: 'utf8', maxBuffer: 1 << 30, cwd });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return ms;
}
