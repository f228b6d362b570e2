import { randomBytes } from 'node:crypto';
import { mkdir, open, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';

/**
 * Temp file in the same directory, fsync, rename: readers see the old file or the new one, never a
 * half-written one, and on any error the old file is left as it was.
 *
 * What is not a plain file keeps its kind: a symlink's target is replaced, not the link, and a
 * device or a pipe (-o /dev/null, /dev/stdout, a FIFO) is written to, never renamed over (run as
 * root, a rename over /dev/null replaced the device with a regular file).
 */
export async function writeAtomic(path: string, content: string): Promise<void> {
  const file = await realpath(path).catch(() => path);
  const kind = await stat(file).catch(() => undefined);
  if (kind && !kind.isFile() && !kind.isDirectory()) return writeStream(file, content);
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    const isDir = await stat(file).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir) throw new OutputError(file, 'it is a directory; -o takes the path of a file, e.g. bake/docker-bake.hcl');
    if (err.code === 'EEXIST' || err.code === 'ENOTDIR') throw new OutputError(file, `a path component of ${dir} is not a directory`);
    const { reason, hint } = inPlainWords(err, dir);
    throw new OutputError(file, reason, hint);
  }
}

/** A device or a pipe: nothing to rename, and nothing half-written for a reader to see later. */
async function writeStream(file: string, content: string): Promise<void> {
  try {
    await writeFile(file, content, 'utf8');
  } catch (e) {
    const { reason, hint } = inPlainWords(e as NodeJS.ErrnoException, dirname(file));
    throw new OutputError(file, reason, hint);
  }
}

/** The failure in words, and what to do: an errno code alone ("ENOSPC") tells a user little. */
function inPlainWords(err: NodeJS.ErrnoException, dir: string): { reason: string; hint?: string } {
  switch (err.code) {
    case 'ENOSPC':
      return {
        reason: 'no space left on device',
        hint: `free some space on the file system that holds ${dir} (df -h ${dir}), or write the file somewhere else`,
      };
    case 'EDQUOT':
      return { reason: 'disk quota exceeded', hint: `free some space within your quota on ${dir}, or write the file somewhere else` };
    case 'EROFS':
      return { reason: 'read-only file system', hint: `${dir} is on a file system mounted read-only: write the file somewhere else` };
    case 'EACCES':
    case 'EPERM':
      // The new file is made next to the old one and renamed over it: the directory is what must be writable.
      return {
        reason: 'permission denied',
        hint: `the file is made in ${dir} and renamed into place, so that directory must be writable by this user (ls -ld ${dir}), or write the file somewhere else`,
      };
    default:
      // Node's message is "<CODE>: <what>, <syscall> <path>": keep the words.
      return { reason: /^[A-Z0-9]+: (.+?),/.exec(err.message)?.[1] ?? err.code ?? err.message };
  }
}
