import { runCapture, type Command } from './exec.js';
import { parseRawjson, type BuildSteps } from './rawjson.js';

// Step counts for each target of a finished bake, from BuildKit's build history: buildx writes
// `buildx.build.ref` (builder/node/ref) per target into the metadata file, and
// `buildx history logs --progress=rawjson REF` replays that build's progress. Asking after the
// fact keeps buildx's own progress on the terminal while the build runs.

const PARALLEL = 4;

/** `builder/node/ref` from a target's metadata, if buildx recorded one. */
export function buildRef(metadata: Record<string, unknown>): { builder: string; ref: string } | undefined {
  const raw = metadata['buildx.build.ref'];
  if (typeof raw !== 'string') return undefined;
  const parts = raw.split('/');
  return parts.length === 3 && parts.every((p) => p.length > 0) ? { builder: parts[0]!, ref: parts[2]! } : undefined;
}

export type StepsResult = { ok: true; steps: BuildSteps } | { ok: false; reason: string };

/** Each target's steps; a target whose record cannot be read says why (old buildx, no history API). */
export async function buildSteps(buildx: Command, metadata: Record<string, Record<string, unknown>>, env: Record<string, string>, cwd: string): Promise<Map<string, StepsResult>> {
  const out = new Map<string, StepsResult>();
  const queue = Object.entries(metadata);
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [target, meta] = next;
      const ref = buildRef(meta);
      if (!ref) {
        out.set(target, { ok: false, reason: 'no build ref in the metadata file' });
        continue;
      }
      const r = await runCapture({ file: buildx.file, args: [...buildx.args, 'history', 'logs', '--builder', ref.builder, '--progress=rawjson', ref.ref] }, env, cwd);
      // rawjson goes to stderr (it is progress); stdout is empty.
      out.set(target, r.exitCode === 0 ? { ok: true, steps: parseRawjson(`${r.stdout}\n${r.stderr}`) } : { ok: false, reason: firstLine(r.stderr) || `buildx history logs exited with ${r.exitCode}` });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return out;
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.replace(/^ERROR: /, '') ?? '';
}
