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
