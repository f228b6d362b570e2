// DOT quoted strings: `\"` is the only escape the parser knows, but label-like attributes
// (label, tooltip) then read `\n`, `\l`, `\N`, `\G`... and HTML entities (`&amp;`), so a user's
// backslash and ampersand are escaped for those too. Control characters become spaces: a raw
// newline is legal in a quoted string, but layout would read it differently from `\n`.

function escapeDot(text: string): string {
  return text.replace(/[\\"&]/g, (c) => (c === '&' ? '&amp;' : `\\${c}`)).replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** A DOT ID or escString attribute value, quoted; user text comes back literally. */
export function quoteDot(text: string): string {
  return `"${escapeDot(text)}"`;
}

/** A label of several lines, each centred (`\n`). */
export function dotLabel(lines: string[]): string {
  // A label that starts with a line break corrupts the memory of Graphviz in @viz-js/viz 3.31
  // (Graphviz 16.1; the kind of bug of mdaines/viz-js#204, closed): a later render in the same
  // instance fails with "table index is out of bounds". Found by test/property/graph.property.test.ts.
  // An empty first line is drawn the same as a space.
  const [first = '', ...rest] = lines;
  return `"${[rest.length > 0 && first === '' ? ' ' : first, ...rest].map(escapeDot).join('\\n')}"`;
}

/**
 * A quoted DOT ID per name: the name as written, but two names that read the same once their
 * control characters are spaces ("\t" and "\u0001") would be one node, so later ones get a suffix.
 */
export function dotIds(names: string[], prefix = ''): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    const base = escapeDot(`${prefix}${name}`);
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}~${i}`;
    taken.add(id);
    ids.set(name, `"${id}"`);
  }
  return ids;
}
