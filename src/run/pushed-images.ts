// The images a bake has pushed, read from its progress while it still runs: BuildKit reports
// `pushing manifest for <name>@<digest>` as a status of the target's export, completed once the
// registry holds the manifest (rawjson: a status with `completed`; plain: the line ends `done`). A level's link image is usable from that moment, before
// the bake that pushed it ends (its cache export, its other targets).

export interface PushedImage {
  /** The name it was pushed under (`<repo>:<tag>`). */
  name: string;
  digest: string;
}

const PUSHED = /^pushing manifest for (.+)@(sha256:[0-9a-f]{64})$/;

const PUSHED_PLAIN = /^#\d+ pushing manifest for (\S+)@(sha256:[0-9a-f]{64}) done$/;

/** The manifests one line of rawjson or plain progress reports pushed; none for any other line. */
export function pushedImages(line: string): PushedImage[] {
  if (!line.includes('pushing manifest for ')) return [];
  const plain = PUSHED_PLAIN.exec(line);
  if (plain) return [{ name: plain[1]!, digest: plain[2]! }];
  if (!line.startsWith('{')) return [];
  let message: { statuses?: { id?: string; completed?: string }[] };
  try {
    message = JSON.parse(line);
  } catch {
    return [];
  }
  return (message.statuses ?? []).flatMap((s) => {
    const m = s.completed ? PUSHED.exec(s.id ?? '') : null;
    return m ? [{ name: m[1]!, digest: m[2]! }] : [];
  });
}
