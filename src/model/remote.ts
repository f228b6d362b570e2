/** A remote build context or Dockerfile (git, https): buildx fetches it, so it is no repo path. */
export function isRemote(path: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(path);
}
