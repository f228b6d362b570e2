import { createRequire } from 'node:module';

// hcl2-parser (HCL's own Go parser, compiled to JS) reads our HCL back: an independent reader.
const { parseToObject } = createRequire(import.meta.url)('hcl2-parser') as {
  parseToObject(src: string): [HclDoc | null, unknown];
};

export interface HclDoc {
  target?: Record<string, Record<string, unknown>[]>;
  group?: Record<string, { targets: string[] }[]>;
  variable?: Record<string, { default: unknown }[]>;
}

export function parseHcl(src: string): HclDoc {
  const [doc, err] = parseToObject(src);
  if (!doc) throw new Error(`HCL does not parse: ${JSON.stringify(err)}`);
  return doc;
}
