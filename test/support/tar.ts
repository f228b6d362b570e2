// Just enough tar to read image layers in tests: ustar and GNU headers, GNU long names ('L')
// and pax paths ('x'). Written here rather than pulled in: a layer is a plain archive and the
// tests only ever read it.

export interface TarEntry {
  name: string;
  /** The typeflag: '0' file ('\0' from old tars is reported as '0'), '1' hard link, '2' symlink, '5' directory, ... */
  type: string;
  /** Target of a hard or symbolic link ('' otherwise). */
  linkname: string;
  content: Buffer;
}

const BLOCK = 512;

export function tarEntries(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  for (let at = 0; at + BLOCK <= buf.length; ) {
    const header = buf.subarray(at, at + BLOCK);
    // The archive ends with zero blocks; some writers leave only one.
    if (header.every((b) => b === 0)) break;
    const size = pax.size !== undefined ? Number(pax.size) : numeric(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] ?? 0);
    const content = buf.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') longName = text(content);
    else if (type === 'K') longLink = text(content);
    else if (type === 'x') pax = { ...pax, ...paxRecords(content) };
    else if (type === 'g')
      continue; // global pax defaults: nothing we read depends on them
    else {
      entries.push({
        name: pax.path ?? longName ?? headerName(header),
        type: type === '\0' ? '0' : type,
        linkname: pax.linkpath ?? longLink ?? text(header.subarray(157, 257)),
        content,
      });
      longName = longLink = undefined;
      pax = {};
    }
  }
  return entries;
}

/** POSIX ustar splits long names into prefix + name; GNU's "ustar  " magic uses that area for times instead. */
function headerName(header: Buffer): string {
  const name = text(header.subarray(0, 100));
  const posix = header.subarray(257, 263).toString('latin1') === 'ustar\0';
  const prefix = posix ? text(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** Octal, or GNU base-256 (high bit set) for sizes past 8 GiB. */
function numeric(field: Buffer): number {
  if ((field[0]! & 0x80) !== 0) {
    let n = field[0]! & 0x7f;
    for (const b of field.subarray(1)) n = n * 256 + b;
    return n;
  }
  const s = field.toString('latin1').replace(/[\0 ]/g, '');
  return s ? parseInt(s, 8) : 0;
}

function text(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

/** Records are "<len> <key>=<value>\n", len counting the whole record in bytes. */
function paxRecords(content: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (let at = 0; at < content.length; ) {
    const space = content.indexOf(0x20, at);
    if (space === -1) break;
    const len = Number(content.subarray(at, space).toString('latin1'));
    if (!(len > 0)) break;
    const record = content.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}
