import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A small file system of its own is the real way to make a disk full or read-only: a tmpfs of a
// few KiB fills up for real (ENOSPC), and remounted read-only it refuses writes for real (EROFS),
// root or not. Mounting needs root (or CAP_SYS_ADMIN): without it these tests are skipped with a
// note, and with CI=true they fail (never a silent skip).

export interface Mounted {
  dir: string;
  remountReadOnly(): void;
  unmount(): void;
}

const run = (args: string[]) => spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });

/** A tmpfs with these mount options (`size=64k`) on a fresh directory. */
export function mountTmpfs(options: string): Mounted {
  const dir = mkdtempSync(join(tmpdir(), 'mb-fs-'));
  const r = run(['mount', '-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (r.status !== 0) {
    rmdirSync(dir);
    throw new Error(`mount -t tmpfs -o ${options} failed: ${(r.stderr || r.error?.message || '').trim()}`);
  }
  return {
    dir,
    remountReadOnly: () => {
      const ro = run(['mount', '-o', 'remount,ro', dir]);
      if (ro.status !== 0) throw new Error(`remount,ro ${dir} failed: ${ro.stderr.trim()}`);
    },
    unmount: () => {
      // Lazily if busy: a leaked mount would outlive the test run.
      if (run(['umount', dir]).status !== 0) run(['umount', '-l', dir]);
      rmdirSync(dir);
    },
  };
}

/** Whether this machine lets the tests mount; false (after a note) lets them skip, except with CI=true. */
export function canMount(): boolean {
  try {
    mountTmpfs('size=4k').unmount();
    return true;
  } catch (e) {
    const why = `cannot mount a tmpfs (${(e as Error).message}): run the tests as root, or in a container with CAP_SYS_ADMIN`;
    if (process.env.CI === 'true') throw new Error(`CI=true needs it: ${why}`);
    console.warn(`skipping disk-full and read-only tests: ${why}`);
    return false;
  }
}
