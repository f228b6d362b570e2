// Named contexts that are no stage (`contexts`), as bake's `contexts` takes them: a directory
// (relative to the repo root, where bake runs), an image, or an OCI layout in the repository.

export const IMAGE_SOURCE = 'docker-image://';
export const OCI_SOURCE = 'oci-layout://';

export function sourceKind(source: string): 'local' | 'image' | 'oci-layout' {
  if (source.startsWith(IMAGE_SOURCE)) return 'image';
  if (source.startsWith(OCI_SOURCE)) return 'oci-layout';
  return 'local';
}

/** An OCI layout source's directory: `oci-layout://build/oci:tag` or `...@sha256:...` -> `build/oci`. */
export function ociLayoutDir(source: string): string {
  const rest = source.slice(OCI_SOURCE.length);
  const at = rest.indexOf('@');
  const noDigest = at < 0 ? rest : rest.slice(0, at);
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

/**
 * An image reference as the distribution spec writes it: [registry[:port]/]path[:tag][@digest].
 * Names are lowercase; a tag is at most 128 word characters, dots and dashes.
 */
export const IMAGE_REFERENCE =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;
