/** Rows padded into columns, as every table matrixbake prints: the last column unpadded, no trailing blanks. */
export function table(rows: string[][], gap = '  '): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(gap)
      .trimEnd(),
  );
}
