import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakePrint, BUILDX } from '../support/buildx.js';
import { startBuildkitd } from '../support/buildkitd.js';
import { executedRuns, cliRunner, rawjsonVertices } from '../support/cli-build.js';
import { compileOk } from '../support/compile.js';
import { reachable } from '../support/normalise-print.js';
import { resolveBake } from '../../src/bake/resolve.js';
import { platforms, pushedBlobs, readFile, repositories, tags, type PushedBlob } from '../support/registry.js';
import { needles, scan, type Hit, type Needle } from '../support/secret-scan.js';
import { requireServices } from '../support/services.js';
import { humanLines, logTail } from '../support/build-log.js';

// Issue 6: no credential value reaches the bake file, an arg, a label, an annotation or an image
// layer. The whole demo (group all: every published image and every stage under it, both
// platforms) is built with USE_SCCACHE=true and fake AWS credentials on a fresh buildkitd, so
// every RUN that mounts them runs with them; then every byte pushed (images, attestations,
// registry cache) and every text the CLI writes is searched for them.

describe('secret scan', () => {
  const secret = 'fake/Secret+Value-0123';
  const find = needles('secret', secret);

  it('finds a value as written, URL-encoded, and in base64 at any offset, nested too', () => {
    expect(scan('plain', `x=${secret};`, find).map((h) => h.form)).toEqual(['plain']);
    expect(scan('url', `pkg:docker/a?v=${encodeURIComponent(secret)}`, find).map((h) => h.form)).toEqual(['url']);
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const b64 = Buffer.from(`${prefix}${secret} and more`).toString('base64');
      expect(
        scan('b64', `{"data":"${b64}"}`, find).map((h) => h.form),
        prefix,
      ).toContain(`base64@${prefix.length % 3}`);
      const nested = Buffer.from(JSON.stringify({ config: b64 })).toString('base64');
      expect(
        scan('nested', nested, find).map((h) => h.form),
        prefix,
      ).toContain('plain in base64');
      expect(scan('url-safe', Buffer.from(`${prefix}${secret}`).toString('base64url'), find).length, prefix).toBeGreaterThan(0);
    }
  });

  it('finds nothing in text that only shares a prefix, or names the variable', () => {
    expect(scan('near miss', `AWS_SECRET_ACCESS_KEY=${secret.slice(0, -1)} ${Buffer.from(secret.slice(0, -3)).toString('base64')}`, find)).toEqual([]);
  });
});

const HAVE = requireServices();
const run = `secrets-${Date.now().toString(36)}`;
const REGISTRY = `localhost:5000/${run}`;
// Distinctive fakes, shaped like AWS credentials (20 and 40 characters), new for every run.
const KEY = `AKIAMBSCAN${randomBytes(5).toString('hex').toUpperCase()}`;
const SECRET = `mbscan/${randomBytes(24).toString('base64').slice(0, 28)}+fake`;
const CREDENTIALS = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET };
// A value passed on purpose as a build arg (the demo's BUILD_NONCE): the scan must find it where
// args go (history, provenance, files the RUNs write), or it could not see a leaked credential either.
const CANARY = `canary-${run}`;
const VALUES: Needle[] = [...needles('AWS_ACCESS_KEY_ID', KEY), ...needles('AWS_SECRET_ACCESS_KEY', SECRET)];
// The bake file names the secrets by id; nothing pushed needs to (the demo's RUNs record lengths only).
const IDS: Needle[] = ['aws-key-id', 'aws-secret-id'].map((id) => ({ name: `secret id ${id}`, form: 'plain', text: id }));
const VARS = { REGISTRY, CACHE_REGISTRY: `${REGISTRY}/cache`, PUSH_CACHE: 'true', USE_SCCACHE: 'true', BUILD_NONCE: CANARY };
const vars = Object.entries(VARS).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
const SLOW = 15 * 60_000;

describe.runIf(HAVE)('no credential in anything the demo build pushes or writes (USE_SCCACHE=true)', () => {
  let kit: Awaited<ReturnType<typeof startBuildkitd>>;
  let cli: ReturnType<typeof cliRunner>;
  let build: { status: number; stdout: string; stderr: string };
  let targets: string[];
  let nodes: number;
  let published: { name: string; tagSuffix: string; stage: string }[];

  beforeAll(async () => {
    kit = await startBuildkitd();
    cli = cliRunner();
    const compiled = await compileOk('matrix/demo.toml');
    const plan = compiled.plan;
    // What one bake of `all` builds, each with its own cache ref: the nodes, and the twins of those
    // built per arch (per-arch args) with the twins they link.
    targets = Object.keys(reachable(resolveBake(compiled.bake), ['all']));
    // A node and its twins build the same layers (deduplicated below by digest): count nodes.
    nodes = new Set(targets.map((t) => plan.targets.find((x) => x.name === t)!.node)).size;
    published = plan.targets
      .filter((t) => t.tagSuffix !== undefined && t.arch === undefined)
      .map((t) => ({ name: t.name, tagSuffix: t.tagSuffix!, stage: t.stage }));
    // One bake (`--one-bake`): published images with provenance, cache refs per node. The levelled
    // default path is scanned below too.
    build = cli(['bake', 'matrix/demo.toml', 'all', '--one-bake', '--push', ...vars, '--', '--progress=rawjson'], {
      BUILDX_BUILDER: kit.builder,
      ...CREDENTIALS,
    });
    if (build.status !== 0) throw new Error(`demo build failed:\n${humanLines(build.stderr).join('\n')}`);
  }, SLOW);
  afterAll(async () => kit?.stop());

  it(
    'ran every RUN that mounts the credentials, in this build, and each saw them',
    async () => {
      // A fresh buildkitd and a new namespace: nothing came from cache, so a leak could not hide in an older layer.
      const mounting = executedRuns(rawjsonVertices(build.stderr)).filter((v) => v.name.includes('id=aws-secret-id'));
      expect(mounting.filter((v) => v.name.includes('stage=wheel'))).toHaveLength(2 * 2); // cuda x arch
      expect(mounting.filter((v) => v.name.includes('stage=backend'))).toHaveLength(5 * 2); // framework x cuda x arch, less trtllm-cuda12
      for (const t of published.filter((p) => p.stage === 'runtime')) {
        for (const platform of ['linux/amd64', 'linux/arm64']) {
          const seen = await readFile(`${run}/dynamo`, `latest-${t.tagSuffix}`, platform, '/opt/demo/consumed/wheel/wheel.sccache');
          expect(seen, `${t.name} ${platform}`).toBe(
            `sccache bucket=demo-sccache region=us-west-2 prefix=dynamo key_bytes=${KEY.length} secret_bytes=${SECRET.length}\n`,
          );
        }
      }
    },
    SLOW,
  );

  it(
    'every pushed blob (manifests and annotations, configs with history, labels and env, layers, attestations, registry cache) is free of them',
    async () => {
      const started = Date.now();
      expect((await repositories(`${run}/`)).sort()).toEqual([`${run}/cache`, `${run}/dynamo`]);
      const imageTags = await tags(`${run}/dynamo`);
      const cacheTags = await tags(`${run}/cache`);
      expect(imageTags.sort()).toEqual(published.map((t) => `latest-${t.tagSuffix}`).sort());
      expect(cacheTags.sort()).toEqual(targets.map((t) => `${t}-main`).sort());

      const seen = new Set<string>();
      const blobs: PushedBlob[] = [];
      let images = 0;
      for (const tag of imageTags) {
        expect((await platforms(`${run}/dynamo`, tag)).sort(), tag).toEqual(['linux/amd64', 'linux/arm64']);
        images += 2;
        blobs.push(...(await pushedBlobs(`${run}/dynamo`, tag, seen)));
      }
      for (const tag of cacheTags) blobs.push(...(await pushedBlobs(`${run}/cache`, tag, seen)));

      const hits: Hit[] = [];
      const canary: Hit[] = [];
      for (const b of blobs) {
        const where = `${b.repo}@${b.digest} (${b.kind} ${b.mediaType})`;
        hits.push(...scan(where, b.bytes, [...VALUES, ...IDS]));
        canary.push(...scan(where, b.bytes, needles('canary', CANARY)));
      }
      const bytes = blobs.reduce((n, b) => n + b.bytes.length, 0);
      console.log(
        `secrets scan: ${images} images, ${blobs.length} blobs, ${(bytes / 1e6).toFixed(1)} MB, ${hits.length} hits, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(hits).toEqual([]);

      // The scan saw what it had to: every kind of blob, in the numbers the build makes ...
      const kinds = count(blobs.map(kindOf));
      expect(kinds).toMatchObject({
        index: imageTags.length,
        image: images,
        attestation: images,
        provenance: images,
        'image config': images,
        'cache manifest': cacheTags.length,
        'cache config': cacheTags.length,
      });
      expect(kinds['layer']).toBeGreaterThanOrEqual(2 * nodes);
      expect(blobs.length).toBeGreaterThanOrEqual(150);
      expect(bytes).toBeGreaterThan(4e6);
      // ... and it finds an arg's value everywhere an arg goes: history, image and cache layers,
      // and provenance, where the linked targets' configs are base64 inside JSON.
      const canaryIn = new Set(canary.map((h) => kindOf(blobs.find((b) => h.where.startsWith(`${b.repo}@${b.digest}`))!)));
      expect([...canaryIn].sort()).toEqual(['image config', 'layer', 'provenance']);
      expect(canary.filter((h) => h.form.startsWith('base64@')).length).toBeGreaterThan(0);
    },
    SLOW,
  );

  it('nor the bake file (HCL, JSON, resolved), the bake command line, buildx --print or the build log', () => {
    const env = { ...CREDENTIALS, BUILDX_BUILDER: kit.builder };
    const dry = cli(['bake', 'matrix/demo.toml', 'all', '--one-bake', '--push', ...vars, '--dry-run'], env);
    expect(dry.status, dry.stderr).toBe(0);
    const hclFile = /-f (\S+\.hcl)/.exec(dry.stdout)?.[1];
    expect(hclFile).toBeDefined();
    const hcl = readFileSync(hclFile!, 'utf8');
    const texts: [string, string][] = [
      ['bake --dry-run', dry.stdout + dry.stderr],
      ['bake file (HCL)', hcl],
      ['compile --format json', cli(['compile', 'matrix/demo.toml', '--format', 'json'], env).stdout],
      ['compile --format resolved', cli(['compile', 'matrix/demo.toml', '--format', 'resolved'], env).stdout],
      ['build log (rawjson)', build.stdout + build.stderr],
    ];
    // buildx's own reading of the file, with the credentials and the variables in its environment, as bake runs it.
    if (BUILDX) texts.push(['buildx bake --print', JSON.stringify(bakePrint(hclFile!, ['all'], { ...env, ...VARS }))]);
    for (const [what, text] of texts) expect(text.length, what).toBeGreaterThan(200);
    expect(dry.stdout).toMatch(/USE_SCCACHE=true .*docker buildx bake -f /);
    expect(texts.flatMap(([what, text]) => scan(what, text, VALUES))).toEqual([]);
    // They are wired all the same: the secrets by id and env name, the log showing the mounting RUNs.
    expect(hcl).toContain('"id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY"');
    if (BUILDX)
      expect(texts.at(-1)![1]).toContain(`"secret":[{"id":"aws-key-id","env":"AWS_ACCESS_KEY_ID"},{"id":"aws-secret-id","env":"AWS_SECRET_ACCESS_KEY"}]`);
    if (BUILDX) expect(texts.at(-1)![1]).toContain(`"BUILD_NONCE":"${CANARY}"`);
    expect(scan('log', build.stderr, needles('canary', CANARY)).length).toBeGreaterThan(0);
  });

  it(
    "nor anything the default (levelled) path pushes: link images, twins' cache refs, merged tags",
    async () => {
      const ns = `${run}-levels`;
      const levelVars = Object.entries({ ...VARS, REGISTRY: `localhost:5000/${ns}`, CACHE_REGISTRY: `localhost:5000/${ns}/cache` }).flatMap(([k, v]) => [
        '--var',
        `${k}=${v}`,
      ]);
      await kit.restartFresh();
      const levels = cli(['bake', 'matrix/demo.toml', 'all', '--push', ...levelVars, '--', '--progress=rawjson'], {
        BUILDX_BUILDER: kit.builder,
        ...CREDENTIALS,
      });
      expect(levels.status, logTail(levels.stderr)).toBe(0);
      expect(executedRuns(rawjsonVertices(levels.stderr)).filter((v) => v.name.includes('id=aws-secret-id'))).toHaveLength(4 + 10);
      const seen = new Set<string>();
      const blobs: PushedBlob[] = [];
      const imageTags = await tags(`${ns}/dynamo`);
      const cacheTags = await tags(`${ns}/cache`);
      expect(imageTags).toHaveLength(published.length);
      // 40 twins' cache refs and 40 link images (a published twin pushes one to be merged).
      expect(cacheTags.filter((t) => t.endsWith('-main'))).toHaveLength(40);
      expect(cacheTags.filter((t) => t.startsWith('link-'))).toHaveLength(40);
      for (const tag of imageTags) blobs.push(...(await pushedBlobs(`${ns}/dynamo`, tag, seen)));
      for (const tag of cacheTags) blobs.push(...(await pushedBlobs(`${ns}/cache`, tag, seen)));
      const hits = blobs.flatMap((b) => scan(`${b.repo}@${b.digest} (${b.kind} ${b.mediaType})`, b.bytes, [...VALUES, ...IDS]));
      expect(hits).toEqual([]);
      expect(blobs.length).toBeGreaterThanOrEqual(200);
      const canaryIn = new Set(blobs.filter((b) => scan('', b.bytes, needles('canary', CANARY)).length > 0).map(kindOf));
      expect([...canaryIn].sort()).toEqual(['image config', 'layer']);
      expect(scan('log', levels.stdout + levels.stderr, VALUES)).toEqual([]);
    },
    SLOW,
  );
});

function kindOf(b: PushedBlob): string {
  if (b.kind === 'layer') return b.mediaType === 'application/vnd.in-toto+json' ? 'provenance' : 'layer';
  if (b.kind === 'config')
    return b.mediaType === 'application/vnd.buildkit.cacheconfig.v0' ? 'cache config' : b.mediaType.includes('empty') ? 'empty config' : 'image config';
  if (b.kind === 'index') return 'index';
  const m = JSON.parse(b.bytes.toString('utf8')) as { artifactType?: string; config?: { mediaType?: string } };
  if (m.config?.mediaType === 'application/vnd.buildkit.cacheconfig.v0') return 'cache manifest';
  return m.artifactType?.includes('attestation') ? 'attestation' : 'image';
}

function count(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
