import type { BakeFileStream } from '../bake/bake-file.js';
import { resolveBake } from '../bake/resolve.js';
import { printHcl } from './hcl/emit-hcl.js';
import { printJson } from './json/emit-json.js';

/** Output formats of `compile`, each a pure function of the bake file (an array of targets is a stream too). */
export const EMITTERS = {
  hcl: printHcl,
  json: printJson,
  /** What `docker buildx bake --print all` shows with the variables' defaults. */
  resolved: (file: BakeFileStream) => `${JSON.stringify(resolveBake(file), null, 2)}\n`,
} satisfies Record<string, (file: BakeFileStream) => string>;

export type Format = keyof typeof EMITTERS;
export const FORMATS = Object.keys(EMITTERS) as Format[];
