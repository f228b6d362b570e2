import { hintsHere, type SetupHints } from './setup-hints.js';

// What buildx says when it cannot start a build at all, as a message and what to run. buildx's
// own line stays on the terminal above; this is the step after it.

export interface Explained {
  message: string;
  hint: string;
}

const KNOWN: [RegExp, (m: RegExpExecArray, hints: SetupHints) => Explained][] = [
  [
    /failed to connect to the docker API|Cannot connect to the Docker daemon/,
    (_, hints) => ({ message: 'no builder to run on: no Docker daemon here, and BUILDX_BUILDER names no other builder', hint: hints.startBuilder }),
  ],
  [/no builder "([^"]+)" found/, (m, hints) => ({ message: `buildx has no builder "${m[1]}"`, hint: hints.unknownBuilder(m[1]!) })],
  [
    /failed to find target (\S+)/,
    (m) => ({ message: `no target or group "${m[1]}" in the bake file`, hint: '`matrixbake list` shows the targets, `matrixbake explain TARGET` one of them' }),
  ],
];

/**
 * A buildx failure that happened before any build step, explained; undefined for anything else.
 * What to set up is said as fits how matrixbake was installed (`hints`).
 */
export function explainBuildxError(stderr: string, hints: SetupHints = hintsHere()): Explained | undefined {
  for (const [re, say] of KNOWN) {
    const m = re.exec(stderr);
    if (m) return say(m, hints);
  }
  return undefined;
}

/**
 * buildkitd went away while the bake ran (killed, OOM, restarted): gRPC says Unavailable. Its
 * cache survives on disk, so what finished is reused by the next run.
 */
export function daemonLost(stderr: string): string | undefined {
  // Two spellings: buildx's "rpc error: code = Unavailable desc = X" and the solver's "Unavailable: X".
  const m = /(?:rpc error: code = Unavailable desc = |: Unavailable: )([^\n]*)/.exec(stderr);
  return m ? m[1]!.trim() : undefined;
}
