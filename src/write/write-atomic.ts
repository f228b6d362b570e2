import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OutputError } from '../errors.js';

/**
 * Temp file in the same directory, fsync, rename: readers see the old file or the new one, never a
 * half-written one, and on any error the old file is left as it was.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
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
    const isDir = await stat(file).then((s) => s.isDirectory(), () => false);
    const reason = isDir
      ? 'it is a directory; -o takes the path of a file, e.g. bake/docker-bake.hcl'
      : err.code === 'EEXIST' || err.code === 'ENOTDIR'
        ? `a path component of ${dir} is not a directory`
        : (err.code ?? err.message);
    throw new OutputError(file, reason);
  }
}
