import { error } from '../../diagnostics.js';
import { showString } from '../../show-value.js';
import type { Rule } from '../rule.js';

// Tags are `<registry>/<image>:<version>-<suffix>` and cache refs `<cache registry>:<target>-<branch>`,
// so the image and the registries must be what a Docker reference allows before a tag
// (distribution/reference): a registry host, then lowercase path components. buildx would refuse
// the tag only at build time, far from the key that made it.

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Why `ref` is not a repository name (optionally after a registry host), and the fix, or undefined. */
export function repositoryProblem(ref: string, what: 'image' | 'registry'): { problem: string; fix?: string; raw?: boolean } | undefined {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(ref)?.[0];
  if (scheme && what === 'image') {
    const path = ref.slice(scheme.length).replace(/\/+$/, '').split('/');
    return { problem: 'is a URL; the image is a repository name, and its registry goes in project.registry', fix: `registry = "${path.slice(0, -1).join('/')}" and image = "${path.at(-1)}"`, raw: true };
  }
  if (scheme) return { problem: `starts with ${scheme}; a registry is a host and path, not a URL`, fix: ref.slice(scheme.length).replace(/\/+$/, '') };
  if (ref.endsWith('/')) return { problem: 'ends with "/"', fix: ref.replace(/\/+$/, '') };
  if (ref.includes('@')) return { problem: 'carries a digest', fix: ref.slice(0, ref.indexOf('@')) };
  const parts = ref.split('/');
  // As in distribution/reference: a first component with "." or ":" (or localhost) is a host.
  const first = parts[0]!;
  const looksHost = /[.:]/.test(first) || first === 'localhost';
  const host = looksHost && (parts.length > 1 || what === 'registry') && HOST.test(first) ? parts.shift() : undefined;
  const last = parts.at(-1) ?? '';
  if (last.includes(':')) return { problem: `carries a tag (${last.slice(last.indexOf(':'))}); matrixbake makes the tags`, fix: [host, ...parts.slice(0, -1), last.slice(0, last.indexOf(':'))].filter(Boolean).join('/') };
  if (parts.some((p) => p !== p.toLowerCase())) return { problem: 'has uppercase letters; repository names are lowercase', fix: [host, ...parts.map((p) => p.toLowerCase())].filter(Boolean).join('/') };
  if (!parts.every((p) => COMPONENT.test(p))) return { problem: 'is not a repository name: lowercase letters and digits, separated by ".", "_", "-" or "/"' };
  return undefined;
}

export const referencesAreValid: Rule = ({ model, report }) => {
  const check = (path: string, ref: string, what: 'image' | 'registry', kind: string) => {
    const found = ref === '' && what === 'registry' ? undefined : repositoryProblem(ref, what);
    if (found) report(error(path, `${kind} ${showString(ref)} ${found.problem}`, found.fix === undefined ? 'use lowercase letters, digits, ".", "_", "-" and "/"' : `write ${found.raw ? found.fix : showString(found.fix)}`));
  };
  check('project.image', model.project.image, 'image', 'image');
  check('project.registry', model.project.registry, 'registry', 'registry');
  if (model.cache) check('cache.registry', model.cache.registry, 'registry', 'cache registry');
};
