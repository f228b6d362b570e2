import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestPresence } from '../../../src/run/registry-head.js';

// Whether a pushed link image is really in the registry, before a target is pinned to it. A
// registry of the test's own on loopback answers as a real one would: 200, 404, or 401.

const HAS = `sha256:${'a'.repeat(64)}`;
const LACKS = `sha256:${'b'.repeat(64)}`;
const GUARDED = `sha256:${'c'.repeat(64)}`;
let port = 0;
const asked: string[] = [];
const server = createServer((req, res) => {
  asked.push(`${req.method} ${req.url}`);
  res.statusCode = req.url?.endsWith(HAS) ? 200 : req.url?.endsWith(GUARDED) ? 401 : 404;
  res.end();
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('a pushed link image, asked of its registry', () => {
  it('is present, absent, or unknown when the registry will not say', async () => {
    const name = `127.0.0.1:${port}/e2e/cache:link-runtime-vllm-cuda12-arm64-27fed3c55219`;
    expect(await manifestPresence(name, HAS)).toBe('present');
    expect(await manifestPresence(name, LACKS)).toBe('absent');
    expect(await manifestPresence(name, GUARDED)).toBe('unknown');
    expect(asked[0]).toBe(`HEAD /v2/e2e/cache/manifests/${HAS}`);
  });

  it('is unknown where no registry answers, or the name has no registry host', async () => {
    expect(await manifestPresence(`127.0.0.1:1/x:y`, HAS, 1000)).toBe('unknown');
    expect(await manifestPresence('library/busybox:latest', HAS)).toBe('unknown');
  });
});
