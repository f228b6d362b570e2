// Looking for a credential in bytes it must never reach: as written, and in the encodings a
// build stores text in on the way (base64 in provenance input-metadata and in --progress=rawjson
// logs, URL-encoding in package URLs), including base64 nested in base64.

export interface Needle {
  /** What it stands for: "AWS_SECRET_ACCESS_KEY", "secret id aws-key-id", ... */
  name: string;
  /** How it is written: "plain", "url", "base64@1", "base64url@2", ... */
  form: string;
  text: string;
}

export interface Hit {
  where: string;
  name: string;
  form: string;
}

/**
 * Every form of value to look for. Base64 of a value inside a longer base64 string depends on
 * where the value starts modulo 3 bytes, so each of the three alignments is a needle of its own:
 * the characters that encode only the value's bytes.
 */
export function needles(name: string, value: string): Needle[] {
  const out: Needle[] = [{ name, form: 'plain', text: value }];
  if (encodeURIComponent(value) !== value) out.push({ name, form: 'url', text: encodeURIComponent(value) });
  const bytes = Buffer.from(value, 'utf8');
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    const text = b64.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + bytes.length)) / 6));
    out.push({ name, form: `base64@${pad}`, text });
    const url = text.replaceAll('+', '-').replaceAll('/', '_');
    if (url !== text) out.push({ name, form: `base64url@${pad}`, text: url });
  }
  return out;
}

// Runs of base64 long enough to hold a credential; decoded and searched again (two levels deep).
const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}|[A-Za-z0-9_-]{24,}/g;
const DEPTH = 2;

/** Where any needle occurs in bytes (read as latin1, so binary layers are searched byte for byte). */
export function scan(where: string, bytes: Buffer | string, find: Needle[]): Hit[] {
  const hits: Hit[] = [];
  const search = (text: string, depth: number, path: string) => {
    for (const n of find) if (text.includes(n.text)) hits.push({ where: path, name: n.name, form: depth === 0 ? n.form : `${n.form} in base64` });
    if (depth === DEPTH) return;
    for (const [run] of text.matchAll(BASE64_RUN)) {
      const decoded = Buffer.from(run, run.includes('-') || run.includes('_') ? 'base64url' : 'base64').toString('latin1');
      search(decoded, depth + 1, `${path} (decoded base64 at ${text.indexOf(run)})`);
    }
  };
  search(typeof bytes === 'string' ? bytes : bytes.toString('latin1'), 0, where);
  return hits;
}
