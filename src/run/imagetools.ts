import { runCapture, type Command } from './exec.js';

/** The digest of what a tag points to (the index, or the manifest), as the registry has it. */
export async function digestOf(buildx: Command, ref: string, cwd: string): Promise<string | undefined> {
  const r = await runCapture({ file: buildx.file, args: [...buildx.args, 'imagetools', 'inspect', ref, '--format', '{{json .Manifest}}'] }, {}, cwd);
  if (r.exitCode !== 0) return undefined;
  try {
    const digest = (JSON.parse(r.stdout) as { digest?: unknown }).digest;
    return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined;
  } catch {
    return undefined;
  }
}

export interface IndexRequest {
  /** Tags the manifest list gets. */
  tags: string[];
  /** `repo@sha256:...` of each platform's image. */
  sources: string[];
  /** `index:key=value`: what the list says of itself. */
  annotations?: string[];
  /** One source becomes a copy of it, not a list of one (promote). */
  preferIndex?: boolean;
}

/** `imagetools create`: a manifest list over images already in the registry, by digest. */
export function createIndexArgs(r: IndexRequest): string[] {
  return [
    'imagetools',
    'create',
    ...(r.preferIndex === false ? ['--prefer-index=false'] : []),
    ...(r.annotations ?? []).flatMap((a) => ['--annotation', a]),
    ...r.tags.flatMap((t) => ['-t', t]),
    ...r.sources,
  ];
}
