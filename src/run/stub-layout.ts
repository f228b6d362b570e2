import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../plan/plan.js';
import { planIndex } from '../plan/plan-index.js';

// An empty image per platform, as an OCI layout on disk: what `matrixbake check` gives BuildKit in
// place of a linked target (which `--call=check` cannot build: "unsupported context source
// target") and, offline, of a registry image. It has no layers; its config sets the usual PATH, so
// a Dockerfile that reads $PATH is not told the variable is undefined.

const STUB_TAG = 'stub';
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Writes the layout into `dir` and returns the context value that names it: `oci-layout://<dir>:stub`. */
export function writeStubLayout(dir: string, platforms: string[]): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (mediaType: string, value: unknown) => {
    const bytes = Buffer.from(JSON.stringify(value));
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dir, 'blobs', 'sha256', hex), bytes);
    return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
  };
  const manifests = (platforms.length > 0 ? platforms : ['linux/amd64']).map((p) => {
    const [os, architecture, variant] = p.split('/');
    const platform = { architecture: architecture!, os: os!, ...(variant ? { variant } : {}) };
    const config = blob('application/vnd.oci.image.config.v1+json', { ...platform, config: { Env: [PATH] }, rootfs: { type: 'layers', diff_ids: [] } });
    const manifest = blob('application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [],
    });
    return { ...manifest, platform };
  });
  const index = blob('application/vnd.oci.image.index.v1+json', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': STUB_TAG } }],
    }),
  );
  return `oci-layout://${dir}:${STUB_TAG}`;
}

/** Every link of the checked targets, and offline every registry image they name, read as the stub. */
export function stubContexts(
  plan: Plan,
  names: string[],
  images: Map<string, string[]>,
  stub: string,
): { target: Record<string, { contexts: Record<string, string> }>; links: number; stubbed: Set<string> } {
  let links = 0;
  const stubbed = new Set<string>();
  const target: Record<string, { contexts: Record<string, string> }> = {};
  for (const n of names) {
    const t = planIndex(plan).target.get(n)!;
    const contexts: Record<string, string> = {};
    for (const l of t.links) contexts[l.context] = stub;
    links += t.links.length;
    // A name still holding `$` was not expanded (an ARG lint cannot follow): no context can match it.
    for (const image of (images.get(n) ?? []).filter((i) => !i.includes('$'))) {
      contexts[image] = stub;
      stubbed.add(image);
    }
    if (Object.keys(contexts).length > 0) target[n] = { contexts };
  }
  return { target, links, stubbed };
}
