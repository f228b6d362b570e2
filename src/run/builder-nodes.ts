import { runCapture, type Command } from './exec.js';

// The nodes of a buildx builder and whether each can build, from `docker buildx inspect`. A
// builder may have several nodes (`docker buildx create --append`), each offering some platforms;
// when one is down buildx neither names it (a remote node gives `[internal] waiting for
// connection ... context deadline exceeded`, or `dial unix <socket>: connect: connection refused`)
// nor builds anything of a bake that needs it, and `buildx history` fails for the whole builder.
// The text form is read because it is the same since buildx v0.11 (commands/inspect.go);
// `buildx ls --format json` came in v0.13.

export interface BuilderNode {
  name: string;
  endpoint: string;
  /** running, inactive, stopped, error, ... (buildx's driver status). */
  status: string;
  /** What loading the node failed with, when it did. */
  error?: string;
  /** The platforms `--platform` fixed for the node (buildx marks them with `*`), else all it offers. */
  platforms: string[];
}

export interface BuilderInfo {
  name: string;
  driver: string;
  nodes: BuilderNode[];
}

/** `docker buildx inspect [NAME]` as it prints it; undefined when it is not that. */
export function parseInspect(stdout: string): BuilderInfo | undefined {
  const lines = stdout.split('\n');
  const field = (l: string) => /^([A-Z][A-Za-z ]*):\s*(.*)$/.exec(l);
  const head = new Map<string, string>();
  let i = 0;
  for (; i < lines.length && lines[i] !== 'Nodes:'; i++) {
    const m = field(lines[i]!);
    if (m && !head.has(m[1]!)) head.set(m[1]!, m[2]!.trim());
  }
  if (!head.has('Name')) return undefined;
  const nodes: BuilderNode[] = [];
  for (const line of lines.slice(i + 1)) {
    // Indented lines belong to a node's labels or GC policy.
    const m = field(line);
    if (!m) continue;
    const [key, value] = [m[1]!, m[2]!.trim()];
    if (key === 'Name') nodes.push({ name: value, endpoint: '', status: '', platforms: [] });
    const node = nodes.at(-1);
    if (!node) continue;
    if (key === 'Endpoint') node.endpoint = value;
    else if (key === 'Status') node.status = value;
    else if (key === 'Error') [node.status, node.error] = ['error', value];
    else if (key === 'Platforms') node.platforms = fixedFirst(value.split(',').map((p) => p.trim()));
  }
  return { name: head.get('Name')!, driver: head.get('Driver') ?? '', nodes };
}

function fixedFirst(platforms: string[]): string[] {
  const fixed = platforms.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  return fixed.length > 0 ? fixed : platforms;
}

/**
 * The nodes that cannot build. A `remote` node that is not running is down: buildx only dials
 * it. Other drivers start an inactive node themselves (a stopped container, a deployment scaled
 * to zero), so only a node buildx could not load counts for them.
 */
export function downNodes(info: BuilderInfo): BuilderNode[] {
  return info.nodes.filter((n) => n.status === 'error' || (info.driver === 'remote' && n.status !== 'running'));
}

/** A node as a message names it: `matrixbake-two-arm64 (linux/arm64, unix:///.../arm64.sock)`. */
export function showNode(n: BuilderNode): string {
  const where = [n.platforms.join(','), n.endpoint].filter((x) => x !== '').join(', ');
  return `${n.name}${where ? ` (${where})` : ''}`;
}

/** The builder a buildx command line names (`--builder X`, `--builder=X`; the last wins), over BUILDX_BUILDER. */
export function builderArg(args: readonly string[]): string | undefined {
  let name: string | undefined;
  args.forEach((a, i) => {
    if (a === '--builder') name = args[i + 1];
    else if (a.startsWith('--builder=')) name = a.slice('--builder='.length);
  });
  return name;
}

/** The builder buildx would use (BUILDX_BUILDER, else its current one), or the one named; undefined if buildx cannot say. */
export async function inspectBuilder(buildx: Command, env: Record<string, string>, cwd: string, name?: string): Promise<BuilderInfo | undefined> {
  const r = await runCapture({ file: buildx.file, args: [...buildx.args, 'inspect', ...(name ? [name] : [])] }, env, cwd);
  return r.exitCode === 0 ? parseInspect(r.stdout) : undefined;
}
