import { sccacheArgs, sccacheSecrets } from '../bake/sccache.js';
import { didYouMean } from '../diagnostics.js';
import type { Matrix } from '../model/model.js';
import { sourceLine, type Composed } from '../model/composed.js';
import type { Plan, PlanTarget } from '../plan/plan.js';
import { isCredentialArg } from '../validate/rules/credentials.js';
import type { DockerfileModel } from './dockerfile.js';
import { formatFinding, type Finding } from './finding.js';
import { load } from './load-dockerfile.js';
import { reachableFrom } from './reach.js';
import { sourcesOnDisk } from './sources-on-disk.js';

// Cross-checks a compiled plan against the Dockerfiles it builds. Each finding is a place in a
// Dockerfile and the matrix key that disagrees with it.

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
  return dedupe(
    findings.map((f) => {
      const c = composed.get(f.file);
      return c ? { ...f, ...sourceLine(c, f.line) } : f;
    }),
  );
}

function lintTarget(m: Matrix, t: PlanTarget, df: DockerfileModel): Finding[] {
  const out: Finding[] = [];
  const at = (line: number, key: string, message: string, hint?: string) => out.push({ file: t.dockerfile, line, key, message, ...(hint ? { hint } : {}) });
  const target = df.stages.find((s) => s.name === t.dockerTarget.toLowerCase());
  if (!target) {
    const names = df.stages.flatMap((s) => (s.name ? [s.name] : []));
    at(
      1,
      `stage.${t.stage}.target`,
      `stage "${t.dockerTarget}" is not in ${t.dockerfile}${didYouMean(t.dockerTarget, names)}`,
      `stages there: ${names.join(', ') || 'none named'}`,
    );
    return out;
  }

  const contexts = new Set([...t.links.map((l) => l.context), ...t.sources.map((s) => s.context)]);
  const reach = reachableFrom(t, df, target, contexts);

  const declared = new Set([...df.metaArgs, ...[...reach.stages].flatMap((s) => s.args)].map((a) => a.name));
  const stageName = `stage "${target.name}"`;
  for (const { name, key } of passedArgs(m, t)) {
    if (declared.has(name)) continue;
    at(
      target.line,
      key,
      `build arg ${name} is passed to ${stageName} but no ARG ${name} is declared there, in what it builds on, or before the first FROM: BuildKit ignores it`,
      `declare "ARG ${name}" where it is used, or stop passing it`,
    );
  }

  for (const link of t.links) {
    if (link.via || reach.consumed.has(link.context)) continue;
    at(
      target.line,
      `stage.${t.stage}.uses.${link.context}`,
      `named context "${link.context}" is never read by FROM, COPY --from or RUN --mount from= in ${stageName} or what it builds on`,
      `use it in the Dockerfile, or remove it from stage.${t.stage}.uses`,
    );
  }
  for (const s of t.sources) {
    if (!reach.consumed.has(s.context))
      at(
        target.line,
        s.from,
        `named context "${s.context}" (${s.source}) is never read by FROM, COPY --from or RUN --mount from= in ${stageName} or what it builds on`,
        `use it in the Dockerfile, or remove ${s.from}`,
      );
  }

  // Dynamo's `ARG ARCH=amd64` / `ARG ARCH_ALT=x86_64`, which its build.sh sets for arm64: an arch
  // built with nothing passing it gets the default's settings.
  const passed = new Set(passedArgs(m, t).map((a) => a.name));
  for (const a of [...df.metaArgs, ...[...reach.stages].flatMap((x) => x.args)]) {
    if (a.value === undefined || passed.has(a.name) || !ARCH_DEFAULTS.has(a.value.toLowerCase())) continue;
    const wrong = t.archs.filter((x) => !ARCH_WORDS[x]?.includes(a.value!.toLowerCase()));
    if (wrong.length === 0) continue;
    at(
      a.line,
      `stage.${t.stage}`,
      `ARG ${a.name} defaults to "${a.value}", an arch, and nothing sets it for ${wrong.join(', ')}: the ${wrong.join(', ')} image${wrong.length > 1 ? 's get' : ' gets'} ${a.value}'s value`,
      `set it per arch ([axis.${m.arch?.name ?? 'arch'}.values.${wrong[0]}] args = { ${a.name} = "..." }), or derive it from ARG TARGETARCH in the Dockerfile`,
    );
  }

  const provided = new Set(t.sccache && m.sccache ? secretIds(m.sccache.auth) : []);
  for (const s of reach.stages) {
    for (const secret of s.secrets) {
      if (provided.has(secret.id)) continue;
      const why = !m.sccache
        ? 'the matrix has no [sccache]'
        : !t.sccache
          ? `stage.${t.stage}.sccache is false`
          : `[sccache] auth = "${m.sccache.auth}" provides ${[...provided].join(', ') || 'none'}`;
      at(
        secret.line,
        `stage.${t.stage}.sccache`,
        `RUN mounts secret "${secret.id}" but the bake target never provides it, even with USE_SCCACHE=true (${why}); BuildKit then runs it without the secret`,
        'enable sccache for the stage or drop the mount',
      );
    }
  }
  return out;
}

/** The names an arch goes by in Dockerfiles, by arch value. */
const ARCH_WORDS: Record<string, string[]> = { amd64: ['amd64', 'x86_64', 'x86-64', 'x64'], arm64: ['arm64', 'aarch64', 'arm64/v8'] };
const ARCH_DEFAULTS = new Set(Object.values(ARCH_WORDS).flat());

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
    .map((a) => ({
      file,
      line: a.line,
      key,
      message: `ARG ${a.name} looks like a credential: build args are kept in the image history and provenance`,
      hint: `pass it as a secret: RUN --mount=type=secret,id=<id>,env=${a.name}`,
    }));
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Map(findings.map((f) => [formatFinding(f), f]));
  return [...seen.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.key.localeCompare(b.key));
}
