import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { closest } from '../diagnostics.js';

/**
 * A matrix larger than this is refused before it is read: real matrices are a few KiB (Dynamo's is
 * 6 KiB), so a bigger file is the wrong file, and refusing it keeps memory bounded.
 */
const MAX_MATRIX_BYTES = 1024 * 1024;

export interface ReadProblem {
  message: string;
  hint?: string;
}

/** The bytes of a regular file of at most MAX_MATRIX_BYTES, or why not. Nothing else is read. */
export async function readMatrixFile(file: string): Promise<{ bytes: Buffer } | { problem: ReadProblem }> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (e) {
    return { problem: await whyNotFound(file, e as NodeJS.ErrnoException) };
  }
  const kind = notAFile(info);
  if (kind)
    return {
      problem: { message: `is ${kind}, not a matrix file`, hint: info.isDirectory() ? await tomlInside(file) : 'pass the path of a matrix .toml file' },
    };
  if (info.size > MAX_MATRIX_BYTES) return { problem: tooBig(info.size) };
  try {
    const bytes = await readAtMost(file, MAX_MATRIX_BYTES);
    return bytes === undefined
      ? { problem: { message: `changed while it was read (it grew over the ${formatSize(MAX_MATRIX_BYTES)} limit or stopped being a regular file)` } }
      : { bytes };
  } catch (e) {
    return { problem: unreadable(e as NodeJS.ErrnoException) };
  }
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [n, unit] = bytes < 1024 ** 2 ? [bytes / 1024, 'KiB'] : bytes < 1024 ** 3 ? [bytes / 1024 ** 2, 'MiB'] : [bytes / 1024 ** 3, 'GiB'];
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}`;
}

function tooBig(size: number): ReadProblem {
  return {
    message: `is ${formatSize(size)}, over the ${formatSize(MAX_MATRIX_BYTES)} limit for a matrix file`,
    hint: 'a matrix is a few KiB of TOML: check that this is the matrix and not a generated or binary file',
  };
}

function notAFile(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

async function whyNotFound(file: string, e: NodeJS.ErrnoException): Promise<ReadProblem> {
  if (e.code === 'ENOENT') {
    const link = await lstat(file).then(
      (l) => l.isSymbolicLink(),
      () => false,
    );
    if (link) {
      const target = await readlink(file).catch(() => '?');
      return { message: `is a symlink to "${target}", which does not exist`, hint: 'point the link at a matrix file, or pass the file itself' };
    }
    const guess = await siblingLike(file);
    return {
      message: `no such matrix file${guess ? ` (did you mean "${guess}"?)` : ''}`,
      hint: 'pass the path of a matrix TOML file, or name it in package.json: "matrixbake": { "matrix": "matrix/images.toml" }',
    };
  }
  if (e.code === 'ENOTDIR') return { message: 'no such matrix file: a directory in its path is a file', hint: 'check the path' };
  if (e.code === 'ELOOP') return { message: 'is a symlink that loops back on itself', hint: 'point the link at a matrix file' };
  if (e.code === 'ENAMETOOLONG') return { message: 'path is too long for the file system', hint: 'check the path' };
  return unreadable(e);
}

function unreadable(e: NodeJS.ErrnoException): ReadProblem {
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return { message: 'cannot be read: permission denied', hint: 'give your user read permission (chmod u+r) or run as its owner' };
  if (e.code === 'EISDIR') return { message: 'is a directory, not a matrix file', hint: 'pass the path of a matrix .toml file' };
  return { message: `cannot be read (${e.code ?? e.message})`, hint: 'check the path and the file' };
}

/** The .toml file next to a missing one whose name is closest, as the user would type it. */
async function siblingLike(file: string): Promise<string | undefined> {
  const dir = dirname(file);
  const names = await readdir(dir).catch(() => [] as string[]);
  const stem = (n: string) => n.replace(/\.toml$/, '');
  const tomls = names.filter((n) => n.endsWith('.toml'));
  const match = tomls.find((n) => n === `${basename(file)}.toml`) ?? tomls.find((n) => stem(n) === closest(stem(basename(file)), tomls.map(stem)));
  return match === undefined ? undefined : dir === '.' && !file.startsWith('./') ? match : join(dir, match);
}

async function tomlInside(dir: string): Promise<string> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.toml')).sort();
  return names.length > 0 ? `pass a matrix file inside it, e.g. ${join(dir, names[0]!)}` : 'pass the path of a matrix .toml file';
}

// Reads through a handle with a hard cap, so a file swapped for a huge one after stat() is still
// never read whole into memory; O_NONBLOCK and the handle's own stat keep a file swapped for a FIFO
// from blocking the read forever.
async function readAtMost(file: string, limit: number): Promise<Buffer | undefined> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    const buf = Buffer.alloc(limit + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, size, buf.length - size, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > limit) return undefined;
    }
    return buf.subarray(0, size);
  } finally {
    await handle.close();
  }
}
