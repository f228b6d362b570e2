import type { Compiled } from '../compile.js';
import type { BakeFile, BakeTarget } from './bake-file.js';
import { publishedTags } from './build-bake-file.js';
import { list } from './expr.js';

/** The bake file, with the tags of each published node built as its twins (a group there has none): what the merge makes. */
export function withNodeTags(compiled: Compiled): BakeFile {
  const extra = compiled.plan.targets
    .filter((t) => t.perArch && t.tagSuffix !== undefined)
    .map((t) => ({ name: t.name, attributes: [['tags', list(publishedTags(compiled.plan, t))]] as BakeTarget['attributes'] }));
  return { ...compiled.bake, targets: [...compiled.bake.targets, ...extra] };
}
