import { posix } from 'node:path';
import type { PlanTarget } from '../../src/plan/plan.js';
import type { Spec } from './assemble-matrix.js';

// What a planned target must look like in the bake file, spelt out from the rules in docs/design.md
// ("Rules the emitted bake file keeps"):
// - `hclTarget`: as hcl2-parser reads the HCL back (literals decoded; an expression comes back
//   as its source, `${...}`);
// - `resolvedTarget`: as bake evaluates it with every variable at its default (what
//   `compile --format resolved` and `buildx bake --print` show).

const BRANCH_TAG = '${regex_replace(BRANCH, "[^A-Za-z0-9_.-]", "-")}';
const CACHE_TO_OPTIONS = 'mode=max,ignore-error=true,image-manifest=true,oci-mediatypes=true';
const SECRETS: Record<string, string[]> = {
  static: ['id=aws-key-id,env=AWS_ACCESS_KEY_ID', 'id=aws-secret-id,env=AWS_SECRET_ACCESS_KEY'],
  oidc: ['id=aws-web-identity-token,src=${AWS_WEB_IDENTITY_TOKEN_FILE}', 'id=aws-role-arn,env=AWS_ROLE_ARN'],
};
const BUILTIN_DEFAULTS = (spec: Spec): Record<string, string> => ({
  REGISTRY: spec.registry,
  VERSION: 'latest',
  GIT_SHA: '',
  USER_UID: '1000',
  USER_GID: '0',
  BRANCH: 'main',
});

const sanitizeBranch = (b: string) => b.replace(/[^A-Za-z0-9_.-]/g, '-');
const literalArgs = (t: PlanTarget) => Object.fromEntries(t.args.map((a) => [a.name, a.value]));
const nonEmpty = <T extends object>(key: string, v: T) => (Object.keys(v).length > 0 ? { [key]: v } : {});
const tagged = (t: PlanTarget) => t.tagSuffix !== undefined && t.arch === undefined;

function common(spec: Spec, t: PlanTarget, revision: string, version: string) {
  return {
    description: t.description,
    context: t.context,
    ...nonEmpty('contexts', Object.fromEntries(t.links.map((l) => [l.context, `target:${l.target}`]))),
    // bake joins context and dockerfile, so the file names the Dockerfile from the context.
    dockerfile: posix.relative(`/${t.context}`, `/${t.dockerfile}`),
    target: t.dockerTarget,
    labels: {
      'org.opencontainers.image.title': `${spec.image}-${t.tagSuffix ?? t.node}`,
      'org.opencontainers.image.description': t.description,
      ...(spec.source ? { 'org.opencontainers.image.source': spec.source } : {}),
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.version': version,
    },
    ...(tagged(t) ? {} : { output: ['type=cacheonly'] }),
    ...(t.platforms.length > 0 ? { platforms: t.platforms } : {}),
  };
}

/** The cache keys a target reads, its own first: a twin then its node, a node then its twins. */
function cacheKeys(plan: PlanTarget[], t: PlanTarget): string[] {
  return [t.name, ...(t.arch !== undefined ? [t.node] : plan.filter((x) => x.arch !== undefined && x.node === t.name).map((x) => x.name))];
}

export function hclTarget(spec: Spec, t: PlanTarget, all: PlanTarget[]): Record<string, unknown> {
  const when = (v: string) => `\${USE_SCCACHE ? ${v} : null}`;
  const sccache =
    t.sccache && spec.sccache
      ? {
          USE_SCCACHE: when('"true"'),
          SCCACHE_BUCKET: when('SCCACHE_BUCKET'),
          SCCACHE_REGION: when('SCCACHE_REGION'),
          SCCACHE_S3_KEY_PREFIX: when(`"${spec.sccache.keyPrefix}"`),
        }
      : {};
  const repo = spec.registry ? `\${REGISTRY}/${spec.image}` : spec.image;
  const ref = (branch: string, key = t.name) => `type=registry,ref=\${CACHE_REGISTRY}:${key}-${branch}`;
  const keys = cacheKeys(all, t);
  const secrets = t.sccache && spec.sccache ? SECRETS[spec.sccache.auth] : undefined;
  return {
    ...common(spec, t, '${GIT_SHA}', '${VERSION}'),
    ...nonEmpty('args', { ...literalArgs(t), ...Object.fromEntries(t.variableArgs.map((v) => [v, `\${${v}}`])), ...sccache }),
    ...(tagged(t) ? { tags: [`${repo}:\${VERSION}-${t.tagSuffix}`, `${repo}:latest-${t.tagSuffix}`] } : {}),
    ...(spec.cache
      ? {
          'cache-from': [...keys.map((k) => ref(BRANCH_TAG, k)), ...spec.cache.fallback.flatMap((b) => keys.map((k) => ref(sanitizeBranch(b), k)))],
          'cache-to': `\${PUSH_CACHE ? ["${ref(BRANCH_TAG)},${CACHE_TO_OPTIONS}"] : []}`,
        }
      : {}),
    // The list's layout (one item a line) is the printer's business: compared with spaces folded.
    ...(secrets ? { secret: `\${USE_SCCACHE ? [ ${secrets.map((s) => `"${s}", `).join('')}] : []}` } : {}),
  };
}

/** An attribute as hcl2-parser gives it, with runs of whitespace folded (see `secret` above). */
export const foldSpaces = (v: unknown) => (typeof v === 'string' && v.startsWith('${USE_SCCACHE ? [') ? v.replace(/\s+/g, ' ') : v);

export function resolvedTarget(spec: Spec, t: PlanTarget, all: PlanTarget[]): Record<string, unknown> {
  const defaults = { ...BUILTIN_DEFAULTS(spec), ...spec.variables };
  const repo = spec.registry ? `${spec.registry}/${spec.image}` : spec.image;
  const ref = (branch: string, key: string) => `type=registry,ref=${spec.cache!.registry}:${key}-${branch}`;
  const keys = cacheKeys(all, t);
  return {
    ...common(spec, t, '', 'latest'),
    // The sccache args are null unless USE_SCCACHE, and bake drops null args.
    ...nonEmpty('args', { ...literalArgs(t), ...Object.fromEntries(t.variableArgs.map((v) => [v, defaults[v]!])) }),
    // With VERSION=latest both tags are the same, and bake folds them.
    ...(tagged(t) ? { tags: [`${repo}:latest-${t.tagSuffix}`] } : {}),
    ...(spec.cache ? { 'cache-from': [...new Set(['main', ...spec.cache.fallback.map(sanitizeBranch)].flatMap((b) => keys.map((k) => ref(b, k))))] } : {}),
  };
}

/** The variable blocks: the built-ins, [sccache]'s, then [variables], each with its default. */
export function hclVariables(spec: Spec): Record<string, { default: unknown }[]> {
  const vars: Record<string, unknown> = {
    REGISTRY: spec.registry,
    VERSION: 'latest',
    CACHE_REGISTRY: spec.cache?.registry ?? '',
    BRANCH: 'main',
    PUSH_CACHE: false,
    USE_SCCACHE: false,
    GIT_SHA: '',
    USER_UID: '1000',
    USER_GID: '0',
    ...(spec.sccache ? { SCCACHE_BUCKET: spec.sccache.bucket, SCCACHE_REGION: spec.sccache.region } : {}),
    ...(spec.sccache?.auth === 'oidc' ? { AWS_WEB_IDENTITY_TOKEN_FILE: '' } : {}),
    ...spec.variables,
  };
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, [{ default: v }]]));
}
