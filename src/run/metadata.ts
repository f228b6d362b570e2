import { existsSync, readFileSync } from 'node:fs';
import * as z from 'zod';

// buildx's --metadata-file, read once where it comes in: per target, what it pushed and the build
// record that holds its steps. buildx writes other keys too (provenance, `buildx.build.warnings`
// at the top), which are kept as they are: `--metadata-file` of the user's gets them all.

const targetMetadata = z.looseObject({
  /** The image's (or manifest list's) digest, once pushed or exported. */
  'containerimage.digest': z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
  /** The image name(s) it was exported under, comma-separated. */
  'image.name': z.string().optional(),
  /** `builder/node/ref`: `docker buildx history inspect` opens it. */
  'buildx.build.ref': z.string().optional(),
});

export type TargetMetadata = z.infer<typeof targetMetadata>;
/** Target -> its metadata. */
export type BakeMetadata = Record<string, TargetMetadata>;

/** The targets' entries of a metadata file buildx wrote; {} when it wrote none (a failed bake). */
export function readBakeMetadata(file: string): BakeMetadata {
  if (!existsSync(file)) return {};
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const out: BakeMetadata = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    // Top-level keys that are not a target's (buildx.build.warnings) are lists, not objects.
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const parsed = targetMetadata.safeParse(value);
    if (!parsed.success)
      throw new Error(`buildx's metadata file ${file}: ${key}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
    out[key] = parsed.data;
  }
  return out;
}
