import { existsSync, realpathSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { sccacheArgs, sccacheSecrets } from '../bake/sccache.js';
import { didYouMean } from '../diagnostics.js';
import { ARCH_PLATFORMS, type Matrix } from '../model/model.js';
import type { Plan, PlanSource, PlanTarget } from '../plan/plan.js';
import { ociLayoutDir } from '../model/sources.js';
import { compose, sourceLine, type Composed } from '../model/composed.js';
import { isCredentialArg } from '../validate/rules/credentials.js';
import { parseDockerfile, type DockerfileModel, type DockerStage } from './dockerfile.js';
import { expandWord } from './expand.js';

// Cross-checks a compiled plan against the Dockerfiles it builds. Each finding is a place in a
// Dockerfile and the matrix key that disagrees with it.

export interface Finding {
  file: string;
  line: number;
  /** Matrix key path: `stage.runtime.uses.backend`, `axis.framework.values.vllm.args.VLLM_REF`. */
  key: string;
  message: string;
  hint?: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.key}: ${f.message}${f.hint ? ` (hint: ${f.hint})` : ''}`;
}

export async function lintPlan(plan: Plan, repo: string): Promise<Finding[]> {
  const files = new Map<string, DockerfileModel | Finding>();
  const composed = new Map<string, Composed>();
  const findings: Finding[] = [];
  // A node built as its twins is checked as them: each has its own arch's args.
  const perArch = new Set(plan.targets.filter((t) => t.perArch).map((t) => t.name));
  const built = plan.targets.filter((t) => (t.arch === undefined ? !perArch.has(t.name) : perArch.has(t.node)));
  for (const t of built) {
    if (!files.has(t.dockerfile)) files.set(t.dockerfile, await load(t, repo, composed));
    const df = files.get(t.dockerfile)!;
    if ('message' in df) findings.push(df);
    else findings.push(...lintTarget(plan.matrix, t, df));
  }
  for (const [file, df] of files) if (!('message' in df)) findings.push(...credentialArgs(file, df));
  findings.push(...(await sourcesOnDisk(plan, repo)));
  // A composed Dockerfile's line, as the line of the part it came from.
  return dedupe(findings.map((f) => {
    const c = composed.get(f.file);
    return c ? { ...f, ...sourceLine(c, f.line) } : f;
  }));
}

async function load(t: PlanTarget, repo: string, composed: Map<string, Composed> = new Map()): Promise<DockerfileModel | Finding> {
  const key = t.dockerfileKey;
  if (t.dockerfileParts) {
    // Read from its parts, not from the composed file (which may not be written yet).
    const texts: { file: string; text: string }[] = [];
    for (const [i, file] of t.dockerfileParts.entries()) {
      const df = await load({ ...t, dockerfile: file, dockerfileKey: `${key}[${i}]`, dockerfileParts: undefined } as PlanTarget, repo);
      if ('message' in df) return df;
      texts.push({ file, text: await readFile(realpathSync(resolve(repo, file)), 'utf8') });
    }
    const c = compose(texts);
    composed.set(t.dockerfile, c);
    return parseDockerfile(c.text);
  }
  const path = resolve(repo, t.dockerfile);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { file: t.dockerfile, line: 1, key, message: `Dockerfile "${t.dockerfile}" does not exist`, hint: `paths are relative to the repo root ${repo}` };
  }
  const rel = relative(realpathSync(repo), real);
  if (rel.startsWith(`..${sep}`) || rel === '..') {
    return { file: t.dockerfile, line: 1, key, message: `Dockerfile "${t.dockerfile}" resolves to ${real}, outside the repository`, hint: 'a symlink may point out of the repo; keep Dockerfiles inside it' };
  }
  return parseDockerfile(await readFile(real, 'utf8'));
}

function lintTarget(m: Matrix, t: PlanTarget, df: DockerfileModel): Finding[] {
  const out: Finding[] = [];
  const at = (line: number, key: string, message: string, hint?: string) => out.push({ file: t.dockerfile, line, key, message, ...(hint ? { hint } : {}) });
  const target = df.stages.find((s) => s.name === t.dockerTarget.toLowerCase());
  if (!target) {
    const names = df.stages.flatMap((s) => (s.name ? [s.name] : []));
    at(1, `stage.${t.stage}.target`, `stage "${t.dockerTarget}" is not in ${t.dockerfile}${didYouMean(t.dockerTarget, names)}`, `stages there: ${names.join(', ') || 'none named'}`);
    return out;
  }

  const contexts = new Set([...t.links.map((l) => l.context), ...t.sources.map((s) => s.context)]);
  const reach = reachableFrom(t, df, target, contexts);

  const declared = new Set([...df.metaArgs, ...[...reach.stages].flatMap((s) => s.args)].map((a) => a.name));
  const stageName = `stage "${target.name}"`;
  for (const { name, key } of passedArgs(m, t)) {
    if (declared.has(name)) continue;
    at(target.line, key, `build arg ${name} is passed to ${stageName} but no ARG ${name} is declared there, in what it builds on, or before the first FROM: BuildKit ignores it`, `declare "ARG ${name}" where it is used, or stop passing it`);
  }

  for (const link of t.links) {
    if (link.via || reach.consumed.has(link.context)) continue;
    at(target.line, `stage.${t.stage}.uses.${link.context}`, `named context "${link.context}" is never read by FROM, COPY --from or RUN --mount from= in ${stageName} or what it builds on`, `use it in the Dockerfile, or remove it from stage.${t.stage}.uses`);
  }
  for (const s of t.sources) {
    if (!reach.consumed.has(s.context)) at(target.line, s.from, `named context "${s.context}" (${s.source}) is never read by FROM, COPY --from or RUN --mount from= in ${stageName} or what it builds on`, `use it in the Dockerfile, or remove ${s.from}`);
  }

  // Dynamo's `ARG ARCH=amd64` / `ARG ARCH_ALT=x86_64`, which its build.sh sets for arm64: an arch
  // built with nothing passing it gets the default's settings.
  const passed = new Set(passedArgs(m, t).map((a) => a.name));
  for (const a of [...df.metaArgs, ...[...reach.stages].flatMap((x) => x.args)]) {
    if (a.value === undefined || passed.has(a.name) || !ARCH_DEFAULTS.has(a.value.toLowerCase())) continue;
    const wrong = t.archs.filter((x) => !ARCH_WORDS[x]?.includes(a.value!.toLowerCase()));
    if (wrong.length === 0) continue;
    at(a.line, `stage.${t.stage}`, `ARG ${a.name} defaults to "${a.value}", an arch, and nothing sets it for ${wrong.join(', ')}: the ${wrong.join(', ')} image${wrong.length > 1 ? 's get' : ' gets'} ${a.value}'s value`, `set it per arch ([axis.${m.arch?.name ?? 'arch'}.values.${wrong[0]}] args = { ${a.name} = "..." }), or derive it from ARG TARGETARCH in the Dockerfile`);
  }

  const provided = new Set(t.sccache && m.sccache ? secretIds(m.sccache.auth) : []);
  for (const s of reach.stages) {
    for (const secret of s.secrets) {
      if (provided.has(secret.id)) continue;
      const why = !m.sccache ? 'the matrix has no [sccache]' : !t.sccache ? `stage.${t.stage}.sccache is false` : `[sccache] auth = "${m.sccache.auth}" provides ${[...provided].join(', ') || 'none'}`;
      at(secret.line, `stage.${t.stage}.sccache`, `RUN mounts secret "${secret.id}" but the bake target never provides it, even with USE_SCCACHE=true (${why}); BuildKit then runs it without the secret`, 'enable sccache for the stage or drop the mount');
    }
  }
  return out;
}

/** The names an arch goes by in Dockerfiles, by arch value. */
const ARCH_WORDS: Record<string, string[]> = { amd64: ['amd64', 'x86_64', 'x86-64', 'x64'], arm64: ['arm64', 'aarch64', 'arm64/v8'] };
const ARCH_DEFAULTS = new Set(Object.values(ARCH_WORDS).flat());

interface Reach {
  stages: Set<DockerStage>;
  /** Named contexts read by some reached stage. */
  consumed: Set<string>;
  /** Images read that are neither a stage nor a named context (`nvcr.io/nvidia/cuda:...`), as expanded. */
  images: Set<string>;
}

// The stages BuildKit would build for this target, per arch (TARGETARCH may pick the stage). A
// name that is a named context stops the walk: the context replaces that stage.
function reachableFrom(t: PlanTarget, df: DockerfileModel, target: DockerStage, contexts: Set<string>): Reach {
  const stages = new Set<DockerStage>();
  const consumed = new Set<string>();
  const images = new Set<string>();
  for (const arch of t.archs.length > 0 ? t.archs : ['amd64']) {
    const vars = variables(t, df, arch);
    const todo = [target];
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (stages.has(s)) continue;
      stages.add(s);
      for (const ref of [s.base, ...s.refs]) {
        const name = expandWord(ref.name, vars);
        if (contexts.has(name)) consumed.add(name);
        else if (contexts.has(name.toLowerCase())) consumed.add(name.toLowerCase());
        else {
          const next = /^\d+$/.test(name) ? df.stages[Number(name)] : df.stages.find((x) => x.name === name.toLowerCase());
          if (next) todo.push(next);
          else if (name !== 'scratch' && name !== '') images.add(name);
        }
      }
    }
  }
  return { stages, consumed, images };
}

/**
 * Per target built (a node, or the twins of one built per arch): the images its Dockerfile reads
 * that are neither stages nor named contexts (`FROM ${BASE_IMAGE}:${BASE_IMAGE_TAG}`, expanded
 * with its args). `matrixbake check --offline` stands a stub in for each.
 */
export async function targetImages(plan: Plan, repo: string): Promise<Map<string, string[]>> {
  const files = new Map<string, DockerfileModel | Finding>();
  const out = new Map<string, string[]>();
  for (const t of plan.targets) {
    if (!files.has(t.dockerfile)) files.set(t.dockerfile, await load(t, repo));
    const df = files.get(t.dockerfile)!;
    if ('message' in df) continue;
    const target = df.stages.find((s) => s.name === t.dockerTarget.toLowerCase());
    if (!target) continue;
    out.set(t.name, [...reachableFrom(t, df, target, new Set([...t.links.map((l) => l.context), ...t.sources.map((s) => s.context)])).images]);
  }
  return out;
}

function variables(t: PlanTarget, df: DockerfileModel, arch: string): Map<string, string> {
  const vars = new Map<string, string>();
  const platform = ARCH_PLATFORMS[arch] ?? `linux/${arch}`;
  const [os, architecture, variant] = platform.split('/');
  vars.set('TARGETPLATFORM', platform).set('TARGETOS', os!).set('TARGETARCH', architecture!).set('TARGETVARIANT', variant ?? '');
  const passed = new Map(t.args.map((a) => [a.name, a.value]));
  // In order, as BuildKit reads them: a default may use the args declared above it
  // (vLLM's `ARG BUILD_BASE_IMAGE=nvidia/cuda:${CUDA_VERSION}-devel-ubuntu22.04`).
  for (const a of df.metaArgs) {
    const value = passed.get(a.name) ?? (a.value === undefined ? undefined : expandWord(a.value, vars));
    if (value !== undefined) vars.set(a.name, value);
  }
  for (const [name, value] of passed) if (!vars.has(name)) vars.set(name, value);
  return vars;
}

/** Every build arg the bake target sets when all switches are on, with the key that sets it. */
function passedArgs(m: Matrix, t: PlanTarget): { name: string; key: string }[] {
  return [
    ...t.args.map((a) => ({ name: a.name, key: `${a.from}.${a.name}` })),
    ...t.variableArgs.map((v) => ({ name: v, key: `stage.${t.stage}.variables` })),
    ...Object.keys(t.renamedVariables).map((arg) => ({ name: arg, key: `stage.${t.stage}.variable_args.${arg}` })),
    ...(t.sccache ? sccacheArgs(m).map(([name]) => ({ name, key: `stage.${t.stage}.sccache` })) : []),
  ];
}

function secretIds(auth: 'static' | 'oidc' | 'none'): string[] {
  return sccacheSecrets(auth).map((e) => {
    const text = e.k === 'str' ? e.v : e.k === 'tpl' ? e.parts.filter((p) => typeof p === 'string').join('') : '';
    return /(?:^|,)id=([^,]+)/.exec(text)?.[1] ?? '';
  });
}

// A directory or OCI layout is made before the build (TensorRT-LLM's wheel), so compile does not
// look for it; lint does, as bake would fail on it. Reported at the matrix line that names it.
async function sourcesOnDisk(plan: Plan, repo: string): Promise<Finding[]> {
  const seen = new Map<string, PlanSource>();
  for (const t of plan.targets) for (const s of t.sources) if (s.kind !== 'image' && !seen.has(s.source)) seen.set(s.source, s);
  if (seen.size === 0) return [];
  const text = await readFile(plan.matrix.file, 'utf8').catch(() => '');
  const lineOf = (source: string) => Math.max(1, text.split('\n').findIndex((l) => l.includes(JSON.stringify(source))) + 1);
  const out: Finding[] = [];
  for (const s of seen.values()) {
    const dir = s.kind === 'local' ? s.source : ociLayoutDir(s.source);
    const problem = !isDirectory(resolve(repo, dir)) ? `directory "${dir}" does not exist` : s.kind === 'oci-layout' && !existsSync(resolve(repo, dir, 'index.json')) ? `"${dir}" is no OCI layout (no index.json)` : undefined;
    if (problem) out.push({ file: plan.matrix.file, line: lineOf(s.source), key: s.from, message: `named context "${s.context}": ${problem} (paths are relative to the repo root ${repo}), so the bake would fail`, hint: s.kind === 'local' ? 'create it before the build (bake sends its files to BuildKit), or fix the path' : 'write the layout there first (e.g. docker buildx build --output type=oci,tar=false,dest=<dir>), or fix the path' });
  }
  return out;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function credentialArgs(file: string, df: DockerfileModel): Finding[] {
  const key = `Dockerfile ${file}`;
  return [...df.metaArgs, ...df.stages.flatMap((s) => s.args)]
    .filter((a) => isCredentialArg(a.name, a.value))
    .map((a) => ({ file, line: a.line, key, message: `ARG ${a.name} looks like a credential: build args are kept in the image history and provenance`, hint: `pass it as a secret: RUN --mount=type=secret,id=<id>,env=${a.name}` }));
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map(findings.map((f) => [formatFinding(f), f]));
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.key.localeCompare(b.key));
}

