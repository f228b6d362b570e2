import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { tarEntries, type TarEntry } from './tar.js';

// What the e2e tests pushed, read back from the project's registry (plain HTTP, no auth:
// scripts/services.sh). The image is judged by its bytes, not by what buildx reported.

const REGISTRY = 'http://localhost:5000';
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Manifest {
  mediaType: string;
  digest: string;
  // any: the body is one of four wire formats (index, list, OCI or Docker manifest); callers
  // narrow it themselves, and the helpers below check the fields they use.
  // biome-ignore lint/suspicious/noExplicitAny: four wire formats, narrowed by each caller
  body: any;
}

interface Layer extends Descriptor {
  /** The layer's bytes, decompressed (a tar for image layers, JSON for attestations). */
  content(): Promise<Buffer>;
}

export interface Image {
  manifest: Manifest;
  /** The parsed config blob (os, architecture, config.Env, history, ...). */
  // biome-ignore lint/suspicious/noExplicitAny: image config JSON as pushed, read by tests field by field
  config: any;
  layers: Layer[];
}

export async function manifest(repo: string, ref: string): Promise<Manifest | undefined> {
  const m = await fetchManifest(repo, ref);
  return m && { mediaType: m.mediaType, digest: m.digest, body: m.body };
}

export async function blob(repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${REGISTRY}/v2/${repo}/blobs/${digest}`);
  if (!res.ok) throw new Error(`GET blob ${repo}@${digest}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

export async function tags(repo: string): Promise<string[]> {
  const out: string[] = [];
  // The registry pages with a Link header when it chooses to; follow it.
  for (let url: string | undefined = `${REGISTRY}/v2/${repo}/tags/list`; url; ) {
    const res: Response = await fetch(url);
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`GET tags of ${repo}: HTTP ${res.status}`);
    out.push(...(((await res.json()) as { tags?: string[] | null }).tags ?? []));
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    url = next ? new URL(next, REGISTRY).toString() : undefined;
  }
  return out;
}

/** `os/arch` of the images under ref, in index order; attestation manifests are not images. */
export async function platforms(repo: string, ref: string): Promise<string[]> {
  const m = await required(repo, ref);
  if (isIndex(m)) return imageDescriptors(m).map((d) => `${d.platform?.os}/${d.platform?.architecture}`);
  const config = JSON.parse((await blob(repo, m.body.config.digest)).toString('utf8')) as { os?: string; architecture?: string };
  return [`${config.os}/${config.architecture}`];
}

/** The image for one platform ("linux/arm64", optionally "/v8"), resolved through the index. */
export async function imageFor(repo: string, ref: string, platform: string): Promise<Image> {
  let m = await required(repo, ref);
  if (isIndex(m)) {
    const d = imageDescriptors(m).find((d) => d.platform && matches(platform, d.platform.os, d.platform.architecture, d.platform.variant));
    if (!d) throw new Error(`${repo}:${ref} has no ${platform} image (has ${(await platforms(repo, ref)).join(', ')})`);
    m = await required(repo, d.digest);
  }
  const config = JSON.parse((await blob(repo, m.body.config.digest)).toString('utf8'));
  // A manifest without a platform in its config (a registry cache manifest) is taken as is.
  if (config.os && config.architecture && !matches(platform, config.os, config.architecture, config.variant)) {
    throw new Error(`${repo}:${ref} is ${config.os}/${config.architecture}, not ${platform}`);
  }
  const layers = (m.body.layers as Descriptor[]).map((d) => ({ ...d, content: async () => decompress(await blob(repo, d.digest), d) }));
  return { manifest: { mediaType: m.mediaType, digest: m.digest, body: m.body }, config, layers };
}

/** A file as the image's filesystem shows it: from the topmost layer holding it, unless a later layer whited it out. */
export async function readFile(repo: string, ref: string, platform: string, path: string): Promise<string | undefined> {
  const want = clean(path);
  const { layers } = await imageFor(repo, ref, platform);
  for (const layer of layers.reverse()) {
    const entries = tarEntries(await layer.content());
    const byName = new Map(entries.map((e) => [clean(e.name), e] as const));
    const hit = byName.get(want);
    if (hit) return fileContent(hit, byName)?.toString('utf8');
    for (const name of byName.keys()) {
      const slash = name.lastIndexOf('/');
      const dir = slash === -1 ? '' : name.slice(0, slash);
      const base = name.slice(slash + 1);
      const under = (p: string) => p === '' || want.startsWith(`${p}/`);
      // OCI image-spec layer.md: `.wh.<name>` deletes name (and all below it) from lower
      // layers; `.wh..wh..opq` hides everything the lower layers had in its directory.
      if (base === '.wh..wh..opq' && under(dir)) return undefined;
      if (base.startsWith('.wh.')) {
        const gone = dir ? `${dir}/${base.slice(4)}` : base.slice(4);
        if (gone === want || want.startsWith(`${gone}/`)) return undefined;
      }
    }
  }
  return undefined;
}

/** Every byte pushed under ref: manifests, configs and layers (decompressed) of every platform and every attestation. */
export async function allBytes(repo: string, ref: string): Promise<Buffer[]> {
  return (await pushedBlobs(repo, ref)).map((b) => b.bytes);
}

export interface PushedBlob {
  repo: string;
  digest: string;
  kind: 'index' | 'manifest' | 'config' | 'layer';
  mediaType: string;
  /** Decompressed, for layers. */
  bytes: Buffer;
}

/**
 * What a ref holds, blob by blob: the index, every manifest under it (images, attestations, a
 * registry cache's), each one's config and layers. `seen` (digests) skips what an earlier call
 * returned, so tags that share layers are read once.
 */
export async function pushedBlobs(repo: string, ref: string, seen = new Set<string>()): Promise<PushedBlob[]> {
  const out: PushedBlob[] = [];
  const visit = async (r: string): Promise<void> => {
    const m = await fetchManifest(repo, r);
    if (!m) throw new Error(`${repo}:${r} not found`);
    if (!seen.has(m.digest)) {
      seen.add(m.digest);
      out.push({ repo, digest: m.digest, kind: isIndex(m) ? 'index' : 'manifest', mediaType: m.mediaType, bytes: m.raw });
    }
    if (isIndex(m)) {
      for (const d of m.body.manifests as Descriptor[]) await visit(d.digest);
      return;
    }
    const config = m.body.config as Descriptor;
    for (const [kind, d] of [['config', config], ...(m.body.layers as Descriptor[]).map((l) => ['layer', l] as const)] as const) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      out.push({ repo, digest: d.digest, kind, mediaType: d.mediaType, bytes: decompress(await blob(repo, d.digest), d) });
    }
  };
  await visit(ref);
  return out;
}

/** The repositories whose name starts with prefix (the registry's catalog, page by page). */
export async function repositories(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (let url: string | undefined = `${REGISTRY}/v2/_catalog?n=1000`; url; ) {
    const res: Response = await fetch(url);
    if (!res.ok) throw new Error(`GET catalog: HTTP ${res.status}`);
    out.push(...(((await res.json()) as { repositories?: string[] | null }).repositories ?? []).filter((r) => r.startsWith(prefix)));
    const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    url = next ? new URL(next, REGISTRY).toString() : undefined;
  }
  return out;
}

async function fetchManifest(repo: string, ref: string): Promise<(Manifest & { raw: Buffer }) | undefined> {
  const res = await fetch(`${REGISTRY}/v2/${repo}/manifests/${ref}`, { headers: { Accept: ACCEPT } });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`GET manifest ${repo}:${ref}: HTTP ${res.status}`);
  const raw = Buffer.from(await res.arrayBuffer());
  const body = JSON.parse(raw.toString('utf8'));
  return {
    mediaType: body.mediaType ?? res.headers.get('content-type') ?? '',
    digest: res.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`,
    body,
    raw,
  };
}

async function required(repo: string, ref: string): Promise<Manifest> {
  const m = await manifest(repo, ref);
  if (!m) throw new Error(`${repo}:${ref} not found in ${REGISTRY}`);
  if (!Array.isArray(m.body.manifests) && !(m.body.config && Array.isArray(m.body.layers))) {
    throw new Error(`${repo}:${ref} is neither an index nor an image manifest (${m.mediaType})`);
  }
  return m;
}

const isIndex = (m: Manifest) => Array.isArray(m.body.manifests);

/** BuildKit lists its provenance/SBOM manifests in the index as platform unknown/unknown with this annotation. */
const imageDescriptors = (m: Manifest) =>
  (m.body.manifests as Descriptor[]).filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');

function matches(platform: string, os: string, arch: string, variant?: string): boolean {
  const [wantOs, wantArch, wantVariant] = platform.split('/');
  return wantOs === os && wantArch === arch && (wantVariant === undefined || wantVariant === variant);
}

/** Media types lie (Docker's "tar.gzip", uncompressed "rootfs.diff.tar"): the magic bytes decide. */
function decompress(buf: Buffer, d: Descriptor): Buffer {
  if (buf[0] === 0x1f && buf[1] === 0x8b) return gunzipSync(buf);
  if (buf.length >= 4 && buf.readUInt32LE(0) === 0xfd2fb528) throw new Error(`${d.digest}: zstd layers are not supported here (Node 20 zlib has no zstd)`);
  return buf;
}

const clean = (p: string) => p.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');

/** Hard links carry no bytes of their own; their target came earlier in the same layer. */
function fileContent(e: TarEntry, byName: Map<string, TarEntry>): Buffer | undefined {
  if (e.type === '0' || e.type === '7') return e.content;
  if (e.type === '1') {
    const target = byName.get(clean(e.linkname));
    return target && target !== e ? fileContent(target, byName) : undefined;
  }
  return undefined;
}
