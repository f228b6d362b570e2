import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILDX } from '../support/buildx.js';
import { startBuildkitd, type Buildkitd } from '../support/buildkitd.js';
import { allBytes, imageFor, manifest, platforms, readFile, tags } from '../support/registry.js';
import { requireServices } from '../support/services.js';
import { tarEntries } from '../support/tar.js';

// The e2e helpers judge real builds, so they are tested against real tools first: GNU tar for
// the tar reader, a private buildkitd and the project registry for the rest.

describe('tarEntries', () => {
  it('reads back what GNU tar wrote: nested files, directories and names past 100 bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-tar-'));
    try {
      const long = `${'d'.repeat(60)}/${'f'.repeat(70)}.txt`;
      const files: Record<string, string> = { 'top.txt': 'top\n', 'sub/inner.txt': 'inner\n', [long]: 'long name\n', 'empty.txt': '' };
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(join(dir, 'src', name, '..'), { recursive: true });
        writeFileSync(join(dir, 'src', name), content);
      }
      for (const format of ['gnu', 'pax', 'ustar']) {
        const archive = join(dir, `${format}.tar`);
        // ustar cannot hold the long name unsplit: tar splits it into prefix + name.
        execFileSync('tar', ['--format', format, '-cf', archive, '-C', join(dir, 'src'), ...Object.keys(files), 'sub']);
        const entries = tarEntries(readFileSync(archive));
        const got = Object.fromEntries(entries.filter((e) => e.type === '0').map((e) => [e.name, e.content.toString('utf8')]));
        expect(got, format).toEqual(files);
        expect(entries.find((e) => e.name === 'sub/')?.type, format).toBe('5');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const HAVE = requireServices() && BUILDX !== undefined;
const BUILDX_PLUGIN = join(homedir(), '.docker/cli-plugins/docker-buildx');
const SLOW = 5 * 60_000;

describe.runIf(HAVE)('registry client and private buildkitd', () => {
  const repo = 'e2e-support/hello';
  const tag = randomBytes(4).toString('hex');
  let kit: Buildkitd;
  let context: string;
  const build = (t: string) =>
    execa(
      BUILDX_PLUGIN,
      [
        'build',
        '--builder',
        kit.builder,
        '--progress',
        'plain',
        '--platform',
        'linux/amd64,linux/arm64',
        '-t',
        `localhost:5000/${repo}:${t}`,
        '--output',
        'type=image,push=true',
        context,
      ],
      {
        stdin: 'ignore',
        reject: false,
      },
    );

  beforeAll(async () => {
    context = mkdtempSync(join(tmpdir(), 'mb-ctx-'));
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nARG TARGETARCH\nCOPY $TARGETARCH.txt /hello.txt\n');
    writeFileSync(join(context, 'amd64.txt'), 'hello from amd64\n');
    writeFileSync(join(context, 'arm64.txt'), 'hello from arm64\n');
    kit = await startBuildkitd();
    const r = await build(tag);
    if (r.exitCode !== 0) throw new Error(`build failed:\n${r.stderr}`);
  }, SLOW);
  afterAll(async () => {
    await kit?.stop();
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('lists both platforms and reads each one its own file', async () => {
    expect(await platforms(repo, tag)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(await readFile(repo, tag, 'linux/amd64', '/hello.txt')).toBe('hello from amd64\n');
    expect(await readFile(repo, tag, 'linux/arm64', 'hello.txt')).toBe('hello from arm64\n');
    expect(await readFile(repo, tag, 'linux/arm64', '/missing.txt')).toBeUndefined();
    expect((await imageFor(repo, tag, 'linux/arm64')).config.architecture).toBe('arm64');
    await expect(imageFor(repo, tag, 'linux/s390x')).rejects.toThrow(/no linux\/s390x image/);
  });

  it('finds manifests and tags, and returns every blob for scanning', async () => {
    const m = await manifest(repo, tag);
    expect(m?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await manifest(repo, 'no-such-tag')).toBeUndefined();
    expect(await tags(repo)).toContain(tag);
    expect(await tags('e2e-support/never-pushed')).toEqual([]);
    const bytes = (await allBytes(repo, tag)).map((b) => b.toString('latin1'));
    expect(bytes.filter((b) => b.includes('hello from amd64'))).toHaveLength(1);
    expect(bytes.filter((b) => b.includes('hello from arm64'))).toHaveLength(1);
  });

  it(
    'restartFresh leaves a working builder on an empty root',
    async () => {
      await kit.restartFresh();
      const again = `${tag}-fresh`;
      const r = await build(again);
      expect(r.exitCode, r.stderr).toBe(0);
      // An empty root has nothing to reuse: the COPY runs again instead of showing CACHED.
      expect(r.stderr).toMatch(/COPY /);
      expect(r.stderr).not.toMatch(/CACHED/);
      expect(await readFile(repo, again, 'linux/arm64', '/hello.txt')).toBe('hello from arm64\n');
    },
    SLOW,
  );
});
