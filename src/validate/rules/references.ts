import { error } from '../../diagnostics.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';

// Tags are `<registry>/<image>:<version>-<suffix>` and cache refs `<cache registry>:<target>-<branch>`,
// so the image and the registries must be what a Docker reference allows before a tag
// (distribution/reference): a registry host, then lowercase path components. buildx would refuse
// the tag only at build time, far from the key that made it.

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Why `ref` is not a repository name (optionally after a registry host), and the fix, or undefined. */
function repositoryProblem(ref: string, what: 'image' | 'registry'): { problem: string; fix?: string; raw?: boolean } | undefined {
  if (ref.trim() !== ref) return { problem: 'has leading or trailing whitespace', fix: ref.trim() };
  // Pasted from a --cache-from flag: type=registry,ref=ghcr.io/org/cache
  const option = /(?:^|,)ref=([^,]*)/.exec(ref)?.[1];
  if (option !== undefined || /^type=/.test(ref))
    return { problem: 'is a buildx cache option, not a repository; matrixbake writes the options', ...(option ? { fix: option } : {}) };
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(ref)?.[0];
  if (scheme && what === 'image') {
    const path = ref.slice(scheme.length).replace(/\/+$/, '').split('/');
    return {
      problem: 'is a URL; the image is a repository name, and its registry goes in project.registry',
      fix: `registry = "${path.slice(0, -1).join('/')}" and image = "${path.at(-1)}"`,
      raw: true,
    };
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
  if (last.includes(':'))
    return {
      problem: `carries a tag (${last.slice(last.indexOf(':'))}); matrixbake makes the tags`,
      fix: [host, ...parts.slice(0, -1), last.slice(0, last.indexOf(':'))].filter(Boolean).join('/'),
    };
  if (parts.some((p) => p !== p.toLowerCase()))
    return { problem: 'has uppercase letters; repository names are lowercase', fix: [host, ...parts.map((p) => p.toLowerCase())].filter(Boolean).join('/') };
  if (!parts.every((p) => COMPONENT.test(p))) return { problem: 'is not a repository name: lowercase letters and digits, separated by ".", "_", "-" or "/"' };
  return undefined;
}

export const referencesAreValid: Rule = ({ model, report }) => {
  const check = (path: string, ref: string, what: 'image' | 'registry', kind: string): boolean => {
    const found = ref === '' && what === 'registry' ? undefined : repositoryProblem(ref, what);
    if (found)
      report(
        error(
          path,
          `${kind} ${showString(ref)} ${found.problem}`,
          found.fix === undefined ? 'use lowercase letters, digits, ".", "_", "-" and "/"' : `write ${found.raw ? found.fix : showString(found.fix)}`,
        ),
      );
    return found === undefined;
  };
  const { image, registry } = model.project;
  if (check('project.image', image, 'image', 'image') && registry !== '') {
    // Tags are ${REGISTRY}/<image>: a registry written in both places is written twice in every tag.
    const host = image.split('/')[0]!;
    if (image.includes('/') && (/[.:]/.test(host) || host === 'localhost')) {
      const rest = image.startsWith(`${registry}/`) ? image.slice(registry.length + 1) : image.slice(host.length + 1);
      report(
        error(
          'project.image',
          `image ${showString(image)} starts with a registry, and project.registry is ${showString(registry)}, so tags would read ${registry}/${image}:...`,
          `write image = ${showString(rest)}; the registry goes in project.registry only`,
        ),
      );
    }
  }
  check('project.registry', registry, 'registry', 'registry');
  if (model.cache && check('cache.registry', model.cache.registry, 'registry', 'cache registry')) {
    const ref = model.cache.registry;
    // Cache refs are <cache registry>:<target>-<branch>, so it must name a repository, not a host.
    if (!ref.includes('/') && (/[.:]/.test(ref) || ref === 'localhost'))
      report(
        error(
          'cache.registry',
          `cache registry ${showString(ref)} is a registry host alone; cache refs are ${ref}:<target>-<branch>, which names no repository`,
          `write ${showString(`${ref}/dynamo-cache`)} (a repository for the cache)`,
        ),
      );
  }
  model.cache?.fallback.forEach((branch, i) => {
    const at = keyPath('cache', 'fallback', i);
    // git forbids ":" in a branch name; one here is a cache ref pasted whole.
    if (branch.includes(':'))
      report(
        error(
          at,
          `fallback ${showString(branch)} is a cache ref; fallback lists branch names, whose cache refs matrixbake makes`,
          `write ${showString(branch.slice(branch.lastIndexOf(':') + 1) || 'main')}`,
        ),
      );
    else if (model.cache!.fallback.indexOf(branch) !== i) report(error(at, `branch ${showString(branch)} is listed twice`, 'list each branch once'));
  });
};
