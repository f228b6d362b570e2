/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), if any. */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  for (let i = 0; i < b.length; ) {
    const lead = b[i]!;
    if (lead < 0x80) {
      i += 1;
      continue;
    }
    const size = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (size === 0) return i;
    let cp = lead & (0x3f >> size);
    for (let k = 1; k <= size; k++) {
      const next = b[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    const min = [0, 0x80, 0x800, 0x10000][size]!;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += size + 1;
  }
  return undefined;
}
