import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkClosure } from '../src/plan/closure.js';
import type { Plan } from '../src/plan/plan.js';

// The build.sh baseline: one `docker buildx build` per framework x CUDA x target, in sequence,
// each framework's Dockerfile carrying its own copy of the base and wheel stages, as Dynamo's
// Dockerfile.vllm/.sglang/.trtllm did before the DEP. The copies differ per framework (they
// declare FRAMEWORK, as Dynamo's framework-specific bases did), so BuildKit cannot share them
// across frameworks; within one framework later calls reuse the builder's local cache.

const SHARED = 'dockerfiles/demo/Dockerfile';
const FRAMEWORK = 'dockerfiles/demo/Dockerfile.framework';
/** The shared stages under the names the framework stages use for them (their named contexts). */
const RENAME: Record<string, string> = { 'demo-base': 'dynamo-base', 'wheel-builder': 'dynamo-wheels', 'backend-build': 'backend' };

export interface BaselineBuild {
  framework: string;
  target: string;
  dockerfile: string;
  args: Record<string, string>;
}

/** The calls build.sh makes for the plan's published images, and the Dockerfiles they read. */
export function baselineBuilds(plan: Plan, root: string, outDir: string): BaselineBuild[] {
  const byName = new Map(plan.targets.map((t) => [t.name, t]));
  const nodes = plan.targets.filter((t) => t.arch === undefined);
  const seconds = new Map(nodes.map((n) => [n.dockerTarget, n.args.find((a) => a.name === 'WORK_SECONDS')?.value ?? '0']));
  mkdirSync(outDir, { recursive: true });
  const files = new Map<string, string>();
  const builds: BaselineBuild[] = [];
  for (const node of nodes.filter((n) => n.tagSuffix !== undefined)) {
    const framework = node.values.framework!;
    if (!files.has(framework)) {
      const file = join(outDir, `Dockerfile.${framework}`);
      writeFileSync(file, combined(root, seconds));
      files.set(framework, file);
    }
    const args: Record<string, string> = {};
    for (const name of linkClosure(plan, [node.name])) for (const a of byName.get(name)!.args) if (a.name !== 'WORK_SECONDS') args[a.name] = a.value;
    builds.push({ framework, target: node.dockerTarget, dockerfile: files.get(framework)!, args });
  }
  // build.sh order: each framework and CUDA, runtime then ci.
  const order = (b: BaselineBuild) => `${b.framework}\0${b.args.CUDA_VERSION}\0${b.target === 'runtime' ? 0 : 1}`;
  return builds.sort((a, b) => order(a).localeCompare(order(b)));
}

/** The shared Dockerfile and the framework one as one file, each stage's work its bench duration. */
function combined(root: string, seconds: Map<string, string>): string {
  const shared = readFileSync(join(root, SHARED), 'utf8');
  const framework = readFileSync(join(root, FRAMEWORK), 'utf8');
  const firstFrom = (text: string) => text.search(/^FROM /m);
  // The framework file's global ARGs go before the first FROM of the combined file.
  const metaArgs = framework
    .slice(0, firstFrom(framework))
    .split('\n')
    .filter((l) => l.startsWith('ARG ') && !shared.includes(`${l.split('=')[0]}=`));
  const text = [shared.slice(0, firstFrom(shared)), ...metaArgs, '', shared.slice(firstFrom(shared)), framework.slice(firstFrom(framework))].join('\n');
  let stage = '';
  return text
    .split('\n')
    .flatMap((line) => {
      const from = /^FROM (\S+) AS (\S+)$/.exec(line);
      if (from) {
        stage = from[2]!;
        const name = RENAME[stage] ?? stage;
        const copy = stage === 'demo-base' || stage === 'wheel-builder';
        return [`FROM ${from[1]} AS ${name}`, ...(copy ? ['ARG FRAMEWORK'] : [])];
      }
      if (line === 'ARG WORK_SECONDS=0') return [`ARG WORK_SECONDS=${seconds.get(stage) ?? '0'}`];
      return [line];
    })
    .join('\n');
}
