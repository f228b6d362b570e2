import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  ftruncateSync,
  readFileSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledCli } from '../support/bundle.js';
import { cliInProcess } from '../support/cli-in-process.js';

// Bad input the way a new user makes it, through the real CLI: exit 2, one line on stderr that
// starts with the file and ends with a hint (a TOML syntax error adds its line and a caret),
// nothing on stdout, no stack trace, and the bake file from an earlier compile left as it was.
// The corpus is test/corpus/cases/ (its README says how to add a case); inputs that are not TOML
// text (a directory, a FIFO, a huge file, bad bytes) are made below.

const CORPUS = 'test/corpus/cases';
const UPDATE = process.env.UPDATE_BAD_INPUTS === '1';

const cli = cliInProcess;

/** `compile MATRIX -o OUT` over an OUT that holds an earlier bake file; checks OUT survives. */
async function compileOver(matrix: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mb-out-'));
  const out = join(dir, 'docker-bake.hcl');
  const before = Buffer.from(`# from an earlier, good compile\n${randomBytes(16).toString('hex')}\n`);
  writeFileSync(out, before);
  const r = await cli(['compile', matrix, '-o', out]);
  expect(readFileSync(out).equals(before), 'the existing output file changed').toBe(true);
  expect(readdirSync(dir), 'files were left next to the output').toEqual(['docker-bake.hcl']);
  return r;
}

const SYNTAX = /^[^\n]*:\d+:\d+: (?:\S+: )?TOML syntax error: /;

function expectOneClearMessage(r: { status: number; stdout: string; stderr: string }, file: string): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/\b\w*Error:/);
  expect(r.stderr.endsWith('\n')).toBe(true);
  const lines = r.stderr.slice(0, -1).split('\n');
  expect(lines[0]!.startsWith(`${file}:`), lines[0]).toBe(true);
  expect(lines[0]).toMatch(/ \(hint: [^\n]+\)$/);
  if (SYNTAX.test(lines[0]!)) {
    // The one exception to one line: the offending source line and a caret under the column.
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^ {2}\d+ \| /);
    expect(lines[2]).toMatch(/^ {2} +\| *\^$/);
  } else {
    expect(lines).toHaveLength(1);
  }
}

const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.toml'))
  .sort();

describe('bad inputs: the corpus in test/corpus/cases', () => {
  it('has a case for each mistake, each with its expected message', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    const expected = readdirSync(CORPUS).filter((f) => f.endsWith('.expected'));
    expect(expected.map((f) => f.replace(/\.expected$/, '.toml')).sort()).toEqual(corpus);
  });

  it.each(corpus)('%s', async (name) => {
    const file = join(CORPUS, name);
    const r = await compileOver(file);
    expectOneClearMessage(r, file);
    const expectation = join(CORPUS, name.replace(/\.toml$/, '.expected'));
    const actual = r.stderr.replaceAll(file, '{file}');
    if (UPDATE) writeFileSync(expectation, actual);
    expect(actual).toBe(readFileSync(expectation, 'utf8'));
  });

  // Every command loads the matrix the same way, so each says the same. One other command per
  // case, in turn, so that every command meets a sixth of the corpus and a run stays short.
  const others: string[][] = [['lint'], ['list'], ['graph'], ['ci'], ['explain', 'runtime-vllm-cuda12'], ['bake', '--dry-run']];
  it.each(corpus.map((name, i) => [others[i % others.length]!, name] as const))('%j says the same of %s', async (command, name) => {
    const file = join(CORPUS, name);
    const args = command[0] === 'explain' ? ['explain', file, command[1]!] : command[0] === 'bake' ? ['bake', file, ...command.slice(1)] : [command[0]!, file];
    const r = await cli(args);
    expectOneClearMessage(r, file);
    expect(r.stderr.replaceAll(file, '{file}')).toBe(readFileSync(join(CORPUS, name.replace(/\.toml$/, '.expected')), 'utf8'));
  });
});

// Inputs that are no TOML text, or need the file system: made in a fresh directory each.
interface Made {
  /** What the user passes as MATRIX. */
  file: string;
  /** Stands for {dir} in the expected line. */
  dir: string;
}

const TEXT = '[project]\nimage = "dynamo"\n';

/** The matrix the corpus cases start from (each breaks one thing in it). */
const GOOD = `[project]
image = "dynamo"
registry = "nvcr.io/nvidia/ai-dynamo"

[matrix]
framework = ["vllm", "sglang"]
cuda = ["12", "13"]
arch = ["amd64", "arm64"]

[[matrix.exclude]]
framework = "sglang"
cuda = "12"
reason = "SGLang publishes CUDA 13 builds only"

[axis.cuda]
label = "cuda{value}"

[axis.cuda.values.12]
args = { CUDA_VERSION = "12.9.1" }

[axis.cuda.values.13]
args = { CUDA_VERSION = "13.0.1" }

[stage.base]
dockerfile = "dockerfiles/Dockerfile"
target = "dynamo-base"
axes = ["cuda"]

[stage.runtime]
dockerfile = "dockerfiles/Dockerfile.framework"
axes = ["framework", "cuda"]
uses = { dynamo-base = "base" }
publish = true
`;

const GENERATED: [string, (dir: string) => string, string][] = [
  [
    'a missing file',
    (d) => join(d, 'matrix.toml'),
    '{file}: no such matrix file (hint: pass the path of a matrix TOML file, or name it in package.json: "matrixbake": { "matrix": "matrix/images.toml" })',
  ],
  [
    'a misspelt file next to the real one',
    (d) => (writeFileSync(join(d, 'dynamo.toml'), TEXT), join(d, 'dynmo.toml')),
    '{file}: no such matrix file (did you mean "{dir}/dynamo.toml"?) (hint: pass the path of a matrix TOML file, or name it in package.json: "matrixbake": { "matrix": "matrix/images.toml" })',
  ],
  [
    'the file name without .toml',
    (d) => (writeFileSync(join(d, 'dynamo.toml'), TEXT), join(d, 'dynamo')),
    '{file}: no such matrix file (did you mean "{dir}/dynamo.toml"?) (hint: pass the path of a matrix TOML file, or name it in package.json: "matrixbake": { "matrix": "matrix/images.toml" })',
  ],
  [
    'a path through a file',
    (d) => (writeFileSync(join(d, 'matrix.toml'), TEXT), join(d, 'matrix.toml', 'demo.toml')),
    '{file}: no such matrix file: a directory in its path is a file (hint: check the path)',
  ],
  [
    'a directory',
    (d) => (mkdirSync(join(d, 'matrix')), writeFileSync(join(d, 'matrix', 'demo.toml'), TEXT), join(d, 'matrix')),
    '{file}: is a directory, not a matrix file (hint: pass a matrix file inside it, e.g. {dir}/matrix/demo.toml)',
  ],
  [
    'a directory named like a matrix',
    (d) => (mkdirSync(join(d, 'matrix.toml')), join(d, 'matrix.toml')),
    '{file}: is a directory, not a matrix file (hint: pass the path of a matrix .toml file)',
  ],
  [
    'a huge file (refused by its size: never read)',
    (d) => sparse(join(d, 'matrix.toml'), 9 * 1024 ** 2),
    '{file}: is 9 MiB, over the 1 MiB limit for a matrix file (hint: a matrix is a few KiB of TOML: check that this is the matrix and not a generated or binary file)',
  ],
  [
    'a 64 GiB file (reading it would exhaust memory)',
    (d) => sparse(join(d, 'matrix.toml'), 64 * 1024 ** 3),
    '{file}: is 64 GiB, over the 1 MiB limit for a matrix file (hint: a matrix is a few KiB of TOML: check that this is the matrix and not a generated or binary file)',
  ],
  [
    'a FIFO (reading it would block)',
    (d) => (spawnSync('mkfifo', [join(d, 'matrix.toml')]), join(d, 'matrix.toml')),
    '{file}: is a named pipe (FIFO), not a matrix file (hint: pass the path of a matrix .toml file)',
  ],
  ['a device', () => '/dev/null', '{file}: is a device, not a matrix file (hint: pass the path of a matrix .toml file)'],
  [
    'a broken symlink',
    (d) => (symlinkSync('gone.toml', join(d, 'matrix.toml')), join(d, 'matrix.toml')),
    '{file}: is a symlink to "gone.toml", which does not exist (hint: point the link at a matrix file, or pass the file itself)',
  ],
  [
    'a symlink loop',
    (d) => (symlinkSync('b.toml', join(d, 'a.toml')), symlinkSync('a.toml', join(d, 'b.toml')), join(d, 'a.toml')),
    '{file}: is a symlink that loops back on itself (hint: point the link at a matrix file)',
  ],
  [
    'an empty file',
    (d) => write(d, ''),
    '{file}: is empty (0 bytes) (hint: a matrix needs [project], [matrix] and at least one [stage.<name>]; see the smallest matrix in the README of matrixbake)',
  ],
  [
    'only comments',
    (d) => write(d, '# TODO: the matrix\n\n'),
    '{file}: holds only comments and blank lines (hint: a matrix needs [project], [matrix] and at least one [stage.<name>]; see the smallest matrix in the README of matrixbake)',
  ],
  [
    'a UTF-8 byte order mark',
    (d) => write(d, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT)])),
    '{file}:1:1: starts with a UTF-8 byte order mark (BOM) (hint: save it as UTF-8 without a BOM ("UTF-8", not "UTF-8 with BOM"))',
  ],
  [
    'UTF-16 (PowerShell 5 redirection)',
    (d) => write(d, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')])),
    '{file}:1:1: is UTF-16 text (it starts with a UTF-16 byte order mark) (hint: save it as UTF-8; PowerShell 5 writes UTF-16 with ">", use Out-File -Encoding utf8NoBOM)',
  ],
  [
    'Latin-1 text (invalid UTF-8)',
    (d) => write(d, Buffer.concat([Buffer.from(`${TEXT}description = "caf`), Buffer.from([0xe9]), Buffer.from('"\n')])),
    '{file}:3:19: is not valid UTF-8 (byte 0xE9) (hint: a matrix is a UTF-8 text file: is this the right file? If so, save it as UTF-8 (Latin-1 and Windows-1252 are not))',
  ],
  [
    'a NUL byte',
    (d) => write(d, `${TEXT}description = "a\0b"\n`),
    '{file}:3:17: contains a NUL byte, so it is not a text file (hint: a matrix is a UTF-8 text file: is this the right file? If so, save it as UTF-8)',
  ],
  [
    'a binary file',
    (d) => write(d, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00])),
    '{file}:1:4: contains a NUL byte, so it is not a text file (hint: a matrix is a UTF-8 text file: is this the right file? If so, save it as UTF-8)',
  ],
  [
    'a context that is a symlink out of the repository',
    (d) => (mkdirSync(join(d, '.git')), symlinkSync('/etc', join(d, 'src')), write(d, GOOD.replace('image = "dynamo"', 'image = "dynamo"\ncontext = "src"'))),
    '{file}: project.context: "src" resolves to /etc, outside the repository {dir} (hint: a symlink points out of the repo: bake would send BuildKit the files there; use a directory inside the repo)',
  ],
  [
    'a context that is a file',
    (d) => (
      mkdirSync(join(d, '.git')),
      writeFileSync(join(d, 'Dockerfile'), 'FROM scratch\n'),
      write(d, GOOD.replace('image = "dynamo"', 'image = "dynamo"\ncontext = "Dockerfile"'))
    ),
    '{file}: project.context: "Dockerfile" is a file; the build context is a directory (hint: use the directory that holds the sources, e.g. ".")',
  ],
  [
    'hundreds of stages',
    (d) => write(d, GOOD + Array.from({ length: 300 }, (_, i) => `\n[stage.tool${i}]\ndockerfile = "dockerfiles/Dockerfile"\naxes = ["cuda"]\n`).join('')),
    '{file}: stage: 302 stages, over the limit of 256 (hint: a build graph has a handful of stages: split the matrix into several files)',
  ],
  [
    'an axis pasted with thousands of values',
    (d) => write(d, GOOD.replace('cuda = ["12", "13"]', `cuda = [${Array.from({ length: 30000 }, (_, i) => `"${i}"`).join(', ')}]`)),
    '{file}: matrix: the axes make 120000 cells (framework 2 x cuda 30000 x arch 2), over the limit of 100000 (hint: split the matrix into several files, or drop values)',
  ],
];

function write(dir: string, content: string | Buffer): string {
  const file = join(dir, 'matrix.toml');
  writeFileSync(file, content);
  return file;
}

/**
 * The CLI run as user nobody, for what root would be allowed to do: bundled into a folder nobody
 * may enter, wherever the clone is (a clone under /root, or in a 0700 folder, is closed to nobody).
 */
function asNobody(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', bundledCli(), ...args], { encoding: 'utf8', cwd: tmpdir() });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** A file of `size` bytes that takes no disk space: what matters is what stat() says. */
function sparse(file: string, size: number): string {
  const fd = openSync(file, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return file;
}

describe('bad inputs: files that are not TOML text', () => {
  it('starts from a matrix that compiles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-good-'));
    const r = await cli(['compile', write(dir, GOOD), '-o', join(dir, 'docker-bake.hcl')]);
    expect(r).toMatchObject({ status: 0, stderr: '' });
  });

  it.each(GENERATED)('%s', async (_what, make, expected) => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mb-bad-')));
    const made: Made = { file: make(dir), dir };
    const r = await compileOver(made.file);
    expectOneClearMessage(r, made.file);
    expect(r.stderr).toBe(`${expected.replaceAll('{file}', made.file).replaceAll('{dir}', made.dir)}\n`);
  });

  it('a file the user may not read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-bad-'));
    const file = write(dir, TEXT);
    chmodSync(file, 0o000);
    // root reads any file: as root, the CLI runs as nobody (setpriv), who may enter the folder only.
    chmodSync(dir, 0o755);
    const r = process.getuid?.() === 0 ? asNobody(['compile', file]) : await compileOver(file);
    expectOneClearMessage(r, file);
    expect(r.stderr).toBe(`${file}: cannot be read: permission denied (hint: give your user read permission (chmod u+r) or run as its owner)\n`);
  });
});

// Not mistakes: forms a user may write that compile, as docs/format.md says.
describe('accepted on purpose', () => {
  const compiled = async (toml: string) => {
    const r = await cli(['compile', write(mkdtempSync(join(tmpdir(), 'mb-ok-')), toml)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };
  const targets = async (toml: string) => [...(await compiled(toml)).matchAll(/^target "([^"]+)"/gm)].map((m) => m[1]);

  it('integer axis values: cuda = [12, 13] is ["12", "13"]', async () => {
    expect(await targets(GOOD.replace('cuda = ["12", "13"]', 'cuda = [12, 13]'))).toContain('runtime-vllm-cuda12');
  });

  it('a value with a space: its name-safe spelling in target names', async () => {
    expect(await targets(GOOD.replace('"vllm"', '"tensorrt llm"'))).toContain('runtime-tensorrt_llm-cuda13');
  });

  it('an uppercase stage name: bake and Docker tags accept it', async () => {
    expect(await targets(GOOD.replace('[stage.runtime]', '[stage.Runtime]'))).toContain('Runtime-vllm-cuda13');
  });

  it('CRLF line endings', async () => {
    expect(await targets(GOOD.replaceAll('\n', '\r\n'))).toContain('base-cuda12');
  });

  it('a single-value axis, and a stage with no axes and no args', async () => {
    const one = GOOD.replace('framework = ["vllm", "sglang"]', 'framework = ["vllm"]').replace(/\[\[matrix\.exclude\]\][^[]*/, '');
    expect(await targets(`${one}\n[stage.tools]\ndockerfile = "dockerfiles/Dockerfile"\n`)).toEqual(
      expect.arrayContaining(['runtime-vllm-cuda12', 'tools', 'tools-amd64']),
    );
  });

  it('no arch axis: nodes without platforms, and no per-arch twins', async () => {
    const names = await targets(GOOD.replace('arch = ["amd64", "arm64"]\n', ''));
    expect(names).toContain('runtime-vllm-cuda12');
    expect(names.filter((n) => /-(amd64|arm64)$/.test(n!))).toEqual([]);
  });

  it('args as a sub-table, indented with tabs', async () => {
    const hcl = await compiled(`${GOOD.replace(/^(\w+ =)/gm, '\t$1')}\n[stage.base.args]\nNIXL_REF = "0.7.1"\n`);
    expect(hcl).toMatch(/"NIXL_REF" += "0\.7\.1"/);
  });

  it('an exclude by a list of values, or by the integer 12 where the axis has "12"', async () => {
    for (const cuda of ['cuda = ["12"]', 'cuda = 12'])
      expect(await targets(GOOD.replace('cuda = "12"\nreason', `${cuda}\nreason`))).not.toContain('runtime-sglang-cuda12');
  });

  it('arm/v7: its twins are named arm-v7', async () => {
    expect(await targets(GOOD.replace('arch = ["amd64", "arm64"]', 'arch = ["amd64", "arm/v7"]'))).toContain('runtime-vllm-cuda12-arm-v7');
  });

  it('a Dockerfile target in capitals: BuildKit lowercases stage names', async () => {
    expect(await compiled(GOOD.replace('target = "dynamo-base"', 'target = "Dynamo-Base"'))).toContain('"Dynamo-Base"');
  });

  it('a remote git context, passed to buildx as written', async () => {
    expect(await compiled(GOOD.replace('image = "dynamo"', 'image = "dynamo"\ncontext = "https://github.com/ai-dynamo/dynamo.git#main"'))).toContain(
      '"https://github.com/ai-dynamo/dynamo.git#main"',
    );
  });

  it('a description over two lines, or with an emoji sequence (joined by U+200D)', async () => {
    for (const d of ['"""line one\nline two"""', '"dev image \u{1F9D1}\u200D\u{1F4BB}"'])
      expect(await targets(GOOD.replace('publish = true', `publish = true\ndescription = ${d}`))).toContain('runtime-vllm-cuda12');
  });

  it('a value with an accent: its name-safe spelling in target names', async () => {
    expect(await targets(GOOD.replace('"sglang"]', '"sglang", "café"]'))).toContain('runtime-caf_-cuda12');
  });

  it('one stage linked under two named contexts', async () => {
    expect(await compiled(GOOD.replace('uses = { dynamo-base = "base" }', 'uses = { dynamo-base = "base", base = "base" }'))).toMatch(
      /"base" += "target:base-cuda12"/,
    );
  });

  it('a Docker Hub namespace as the registry, and an image with a namespace', async () => {
    expect(
      await compiled(GOOD.replace('registry = "nvcr.io/nvidia/ai-dynamo"', 'registry = "nvidia"').replace('image = "dynamo"', 'image = "ai-dynamo/dynamo"')),
    ).toContain('/ai-dynamo/dynamo:');
  });
});
