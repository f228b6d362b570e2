import type { Diagnostic } from '../diagnostics.js';
import { BuildFailed, UsageError } from '../errors.js';
import { selectRelease } from '../release/release-plan.js';
import { releaseTagsOf, repositoryOf } from '../plan/tags.js';
import { gitFacts } from '../run/git.js';
import { versionFrom } from '../release/version.js';
import { buildxCapture, buildxOrThrow, lastLine } from '../run/buildx-or-throw.js';
import { createIndexArgs, digestOf } from '../run/imagetools.js';
import { shellQuote } from '../shell-quote.js';
import { repoRoot } from '../load/repo-root.js';
import { compileOrThrow } from './compile-or-throw.js';

/** Promotion: the staged index copied by digest to the release registry, never rebuilt. */
export async function promoteCommand(o: {
  matrix: string;
  group: string;
  from: string;
  registry?: string;
  version?: string;
  dryRun: boolean;
  warn: (d: Diagnostic) => void;
  print: (l: string) => void;
}): Promise<void> {
  const { plan } = await compileOrThrow(o.matrix, o.warn);
  const cwd = repoRoot(o.matrix);
  const sel = selectRelease(plan, o.group);
  if ('error' in sel) throw new UsageError(`${sel.error} (hint: ${sel.hint})`);
  const registry = o.registry ?? plan.matrix.project.registry;
  if (!registry) throw new UsageError('promote needs the release registry: --registry R');
  const git = await gitFacts(cwd);
  const version = o.version ?? (git ? versionFrom(git) : undefined);
  if (!version) throw new UsageError('no --version given and no git repository to read one from');
  const failures: string[] = [];
  for (const n of sel.nodes) {
    const [staged] = releaseTagsOf(n.tags!, o.from, version);
    const tags = releaseTagsOf(n.tags!, registry, version);
    if (o.dryRun) {
      o.print(shellQuote(['docker', 'buildx', ...createIndexArgs({ tags, sources: [`${repositoryOf(staged!)}@<digest of ${staged}>`], preferIndex: false })]));
      continue;
    }
    const digest = await digestOf(await buildxOrThrow(), staged!, cwd);
    if (!digest) {
      failures.push(`${n.name}: ${staged} not found in the staging registry`);
      continue;
    }
    // --prefer-index=false: one source is copied as it is (same digest), not wrapped in a new index.
    const r = await buildxCapture(createIndexArgs({ tags, sources: [`${repositoryOf(staged!)}@${digest}`], preferIndex: false }), {}, cwd);
    const promoted = r.exitCode === 0 ? await digestOf(await buildxOrThrow(), tags[0]!, cwd) : undefined;
    if (promoted !== digest)
      failures.push(`${n.name}: ${tags[0]} is ${promoted ?? 'missing'}, staged ${digest}${r.exitCode !== 0 ? `: ${lastLine(r.stderr)}` : ''}`);
    else o.print(`${n.name}  ${tags.join(' ')}  ${digest}`);
  }
  if (failures.length > 0) throw new BuildFailed(`promotion incomplete: ${failures.join('; ')}`);
}
