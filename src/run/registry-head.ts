// Whether a registry holds a manifest, asked directly (HEAD /v2/<repo>/manifests/<digest>): a few
// milliseconds, no buildx start. BuildKit marks `pushing manifest for ...` completed even when the
// registry refused the manifest (seen with the local registry under concurrent pushes: "blob
// unknown to registry"), so a target pinned to that digest would fail on "not found".

/** `absent`: the registry said 404. `unknown`: it could not be asked (auth, TLS, network): trust the progress. */
export type Presence = 'present' | 'absent' | 'unknown';

export async function manifestPresence(name: string, digest: string, timeoutMs = 5000): Promise<Presence> {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  if (!isHost) return 'unknown';
  const repo = name.slice(slash + 1).replace(/:[^/:]+$/, '');
  const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(first);
  try {
    const r = await fetch(`${local ? 'http' : 'https'}://${first}/v2/${repo}/manifests/${digest}`, {
      method: 'HEAD',
      headers: {
        accept:
          'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
    return r.status === 200 ? 'present' : r.status === 404 ? 'absent' : 'unknown';
  } catch {
    return 'unknown';
  }
}
