import { UsageError } from '../errors.js';
import { ARCH_PLATFORMS } from '../model/model.js';

// What the user's own buildx arguments ask of a bake, read before buildx runs.

/** buildx's own arguments without `--metadata-file F`: each run writes its own, merged into F at the end. */
export function withoutMetadataFlag(extra: string[]): { extra: string[]; metadataFile?: string } {
  const out: string[] = [];
  let metadataFile: string | undefined;
  for (let i = 0; i < extra.length; i++) {
    if (extra[i] === '--metadata-file') metadataFile = extra[++i];
    else if (extra[i]!.startsWith('--metadata-file=')) metadataFile = extra[i]!.slice('--metadata-file='.length);
    else out.push(extra[i]!);
  }
  return { extra: out, ...(metadataFile ? { metadataFile } : {}) };
}

/** `--set *.platform=linux/amd64` (or a target's): with levels, which of the matrix's arches to build the twins of. */
export function platformFilter(sets: string[], archs_: string[]): { archs?: string[]; rest: string[] } {
  const rest: string[] = [];
  let archs: string[] | undefined;
  for (const s of sets) {
    const m = /^[^.=]+\.platforms?=(.*)$/.exec(s);
    if (!m) {
      rest.push(s);
      continue;
    }
    archs = m[1]!.split(',').map((p) => {
      const arch = archs_.find((a) => ARCH_PLATFORMS[a] === p.trim());
      if (!arch)
        throw new UsageError(
          `--set ${s}: the matrix builds ${archs_.map((a) => ARCH_PLATFORMS[a]).join(', ') || 'no platform of its own (no arch axis)'}, not "${p.trim()}"`,
        );
      return arch;
    });
  }
  return { ...(archs ? { archs } : {}), rest };
}
