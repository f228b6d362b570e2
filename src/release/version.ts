// What a release is called and when it was made, from git, the way Dynamo's build.sh names its
// images: `v<tag>` on an exact tag, else `v<last tag>.dev.<short sha>` (v0.1.0.dev.08cc44965).

export interface GitFacts {
  /** `git describe --tags --exact-match`, or undefined off a tag. */
  exactTag?: string;
  /** `git describe --tags --abbrev=0`, or undefined in a repo without tags. */
  lastTag?: string;
  /** `git rev-parse --short=9 HEAD`. */
  shortSha: string;
}

export function versionFrom(g: GitFacts): string {
  const v = (tag: string) => (tag.startsWith('v') ? tag : `v${tag}`);
  if (g.exactTag) return v(g.exactTag);
  return `${v(g.lastTag ?? '0.0.0')}.dev.${g.shortSha}`;
}
