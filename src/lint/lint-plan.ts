import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { sccacheArgs, sccacheSecrets } from '../bake/sccache.js';
import { didYouMean } from '../diagnostics.js';
import { ARCH_PLATFORMS, type Matrix } from '../model/model.js';
import type { Plan, PlanTarget } from '../plan/plan.js';
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
  const findings: Finding[] = [];
  const nodes = plan.targets.filter((t) => t.arch === undefined);
  for (const t of nodes) {
    if (!files.has(t.dockerfile)) files.set(t.dockerfile, await load(t, repo));
    const df = files.get(t.dockerfile)!;
    if ('message' in df) findings.push(df);
    else findings.push(...lintTarget(plan.matrix, t, df));
  }
  for (const [file, df] of files) if (!('message' in df)) findings.push(...credentialArgs(file, df));
  return dedupe(findings);
}

async function load(t: PlanTarget, repo: string): Promise<DockerfileModel | Finding> {
  const key = t.dockerfileKey;
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

  const contexts = new Set(t.links.map((l) => l.context));
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

  // Dynamo's `ARG ARCH=amd64` / `ARG ARCH_ALT=x86_64`, which its build.sh sets for arm64: built
  // here for several arches with nothing passing it, every arch gets the default's settings.
  if (t.archs.length > 1) {
    const passed = new Set(passedArgs(m, t).map((a) => a.name));
    for (const a of [...df.metaArgs, ...[...reach.stages].flatMap((x) => x.args)]) {
      if (a.value === undefined || passed.has(a.name) || !ARCH_DEFAULTS.has(a.value.toLowerCase())) continue;
      at(a.line, `stage.${t.stage}`, `ARG ${a.name} defaults to "${a.value}", an arch, and nothing sets it per arch: the ${t.archs.filter((x) => !ARCH_WORDS[x]?.includes(a.value!.toLowerCase())).join(', ')} image${t.archs.length > 2 ? 's get' : ' gets'} ${a.value}'s value`, `derive it from the platform: ARG TARGETARCH, then e.g. RUN ARCH_ALT=$([ "$TARGETARCH" = arm64 ] && echo aarch64 || echo x86_64) ...`);
    }
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
}

// The stages BuildKit would build for this target, per arch (TARGETARCH may pick the stage). A
// name that is a named context stops the walk: the context replaces that stage.
function reachableFrom(t: PlanTarget, df: DockerfileModel, target: DockerStage, contexts: Set<string>): Reach {
  const stages = new Set<DockerStage>();
  const consumed = new Set<string>();
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
        }
      }
    }
  }
  return { stages, consumed };
}

function variables(t: PlanTarget, df: DockerfileModel, arch: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const a of df.metaArgs) if (a.value !== undefined) vars.set(a.name, a.value);
  for (const a of t.args) vars.set(a.name, a.value);
  const platform = ARCH_PLATFORMS[arch] ?? `linux/${arch}`;
  const [os, architecture, variant] = platform.split('/');
  vars.set('TARGETPLATFORM', platform).set('TARGETOS', os!).set('TARGETARCH', architecture!).set('TARGETVARIANT', variant ?? '');
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

