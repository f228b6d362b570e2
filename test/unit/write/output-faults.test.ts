import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledCli } from '../../support/bundle.js';
import { cliPath, cliRunner } from '../../support/cli-build.js';
import { canMount, mountTmpfs } from '../../support/mounts.js';

// The -o file under faults, through the built CLI: compiles racing to write one file, a full
// disk, a read-only file system, a directory this user may not write to. A reader only ever sees
// one complete version; a failed write is exit 2 and one line saying what happened in words, with
// a hint, and leaves the older file byte for byte and no temp file beside it.

const BIG = 'matrix/dynamo.toml';
const SMALL = 'matrix/demo.toml';

let cli: ReturnType<typeof cliRunner>;
beforeAll(() => {
  cli = cliRunner();
});

function compileAsync(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('node', [cliPath(), 'compile', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

/** An older bake file in `dir`, for a failed write to leave as it was. */
function olderOutput(dir: string): { file: string; before: Buffer } {
  const file = join(dir, 'docker-bake.hcl');
  const before = Buffer.from(`# from an earlier, good compile\n${randomBytes(16).toString('hex')}\n`);
  writeFileSync(file, before);
  return { file, before };
}

function expectRefused(r: { status: number; stdout: string; stderr: string }, line: string, dir: string, older: { file: string; before: Buffer }): void {
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(readFileSync(older.file).equals(older.before), 'the older file changed').toBe(true);
  expect(readdirSync(dir), 'files were left next to the output').toEqual(['docker-bake.hcl']);
}

describe('compiles racing to write one file', () => {
  it('20 + 20 at once, two matrices: every read is one whole version, never partial, empty or gone, and no temp file is left', async () => {
    const versions = [BIG, SMALL].map((m) => cli(['compile', m]).stdout);
    expect(versions[0]!.length).toBeGreaterThan(0);
    expect(versions[1]!.length).toBeGreaterThan(0);
    expect(versions[0]).not.toBe(versions[1]);
    const dir = mkdtempSync(join(tmpdir(), 'mb-race-'));
    const out = join(dir, 'docker-bake.hcl');
    // One version is there from the start, so every read while the compiles run must find a whole one.
    writeFileSync(out, versions[1]!);

    let running = true;
    const writers = Promise.all(Array.from({ length: 40 }, (_, i) => compileAsync([i % 2 === 0 ? BIG : SMALL, '-o', out]))).finally(() => (running = false));
    const seen = [0, 0];
    while (running) {
      const text = readFileSync(out, 'utf8');
      const v = versions.indexOf(text);
      expect(v, `read ${seen[0]! + seen[1]!}: ${text.length} bytes, not one of the two complete versions`).not.toBe(-1);
      seen[v]! += 1;
      // Lets the writers' exits through; each read is one synchronous open and read of the whole file.
      await new Promise((r) => setImmediate(r));
    }
    for (const w of await writers) expect(w).toEqual({ status: 0, stderr: '' });
    // The reader saw the writers' work, not only the seeded version.
    expect(seen[0]).toBeGreaterThan(0);
    expect(versions).toContain(readFileSync(out, 'utf8'));
    expect(readdirSync(dir)).toEqual(['docker-bake.hcl']);
    console.log(
      `racing writes: 40 compiles, ${seen[0]! + seen[1]!} reads while they ran (${seen[0]} of ${BIG}'s version, ${seen[1]} of ${SMALL}'s), none partial`,
    );
  }, 300_000);
});

describe.skipIf(!canMount())('a full disk, a read-only file system (a tmpfs of their own)', () => {
  it('disk full: exit 2, one line saying "no space left on device" with a hint, the older file as it was, no temp file', () => {
    const fs = mountTmpfs('size=64k');
    try {
      const older = olderOutput(fs.dir);
      const { bavail, bsize } = statfsSync(fs.dir);
      expect(Buffer.byteLength(cli(['compile', BIG]).stdout), 'the bake file must not fit').toBeGreaterThan(bavail * bsize);
      expectRefused(
        cli(['compile', BIG, '-o', older.file]),
        `matrixbake: cannot write ${older.file}: no space left on device (nothing was written) (hint: free some space on the file system that holds ${fs.dir} (df -h ${fs.dir}), or write the file somewhere else)`,
        fs.dir,
        older,
      );
    } finally {
      fs.unmount();
    }
  });

  it('read-only file system: exit 2, one line saying so with a hint, the older file as it was', () => {
    const fs = mountTmpfs('size=1m');
    try {
      const older = olderOutput(fs.dir);
      fs.remountReadOnly();
      expectRefused(
        cli(['compile', SMALL, '-o', older.file]),
        `matrixbake: cannot write ${older.file}: read-only file system (nothing was written) (hint: ${fs.dir} is on a file system mounted read-only: write the file somewhere else)`,
        fs.dir,
        older,
      );
    } finally {
      fs.unmount();
    }
  });
});

describe('a directory this user may not write to', () => {
  it('permission denied: exit 2, one line saying so with a hint, the older file as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-ro-'));
    const older = olderOutput(dir);
    chmodSync(dir, 0o555);
    // root writes anywhere: as root, the CLI runs as nobody (setpriv), who may enter the folder
    // only: bundled, with the matrix, where nobody may read them, wherever the clone is.
    const r = process.getuid?.() === 0 ? asNobody(['compile', 'matrix.toml', '-o', older.file]) : cli(['compile', SMALL, '-o', older.file]);
    expectRefused(
      r,
      `matrixbake: cannot write ${older.file}: permission denied (nothing was written) (hint: the file is made in ${dir} and renamed into place, so that directory must be writable by this user (ls -ld ${dir}), or write the file somewhere else)`,
      dir,
      older,
    );
  });
});

describe('an -o path that is not a plain file', () => {
  it('a named pipe is written to, and stays a pipe (as /dev/null stays a device): nothing is renamed over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-fifo-'));
    const fifo = join(dir, 'bake.hcl');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const closed = new Promise((resolve) => reader.on('close', resolve));
    const r = await compileAsync([SMALL, '-o', fifo]);
    // A pipe renamed away is never opened for writing: the reader would wait for ever.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    reader.kill();
    expect(r, r.stderr).toMatchObject({ status: 0 });
    expect(read).toBe(cli(['compile', SMALL]).stdout);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['bake.hcl']);
  });

  it("a symlink's target is replaced, and the link stays a link", () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-link-'));
    const older = olderOutput(dir);
    const link = join(dir, 'link.hcl');
    symlinkSync('docker-bake.hcl', link);
    const r = cli(['compile', SMALL, '-o', link]);
    expect(r.status, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(older.file, 'utf8')).toBe(cli(['compile', SMALL]).stdout);
    expect(readdirSync(dir).sort()).toEqual(['docker-bake.hcl', 'link.hcl']);
  });
});

/**
 * The CLI run as user nobody, from a bundle in a folder anyone may enter, on a small matrix of
 * its own there (the clone may be closed to nobody: under /root, or in a 0700 folder).
 */
function asNobody(args: string[]): { status: number; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mb-nobody-'));
  chmodSync(dir, 0o755);
  writeFileSync(
    join(dir, 'matrix.toml'),
    '[project]\nimage = "app"\n\n[matrix]\npython = ["3.12"]\n\n[stage.base]\ndockerfile = "Dockerfile"\naxes = ["python"]\n',
    { mode: 0o644 },
  );
  writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch AS base\n', { mode: 0o644 });
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', bundledCli(), ...args], { encoding: 'utf8', cwd: dir });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}
