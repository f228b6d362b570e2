// Mermaid has no backslash escapes. Inside a `"..."` label it decodes `#name;` and `#code;`
// entities (mermaidAPI encodeEntities/decodeEntities), and renders the rest as HTML.

// `"` ends the label; `#` would start an entity; `&<>` are HTML; `` ` `` starts a markdown
// string, `|` an edge label; `:` because encodeEntities drops the `;` of an entity on any line
// matching /style.*:\S*#.*;/; U+FB02 and U+00B6 are the markers encodeEntities puts entities in.
const SPECIAL = /["#&<>`|:\u00b6\ufb02]|[\u0000-\u001f\u007f\u2028\u2029]/g;

/** Text as the inside of a mermaid `"..."` label: every special character as a `#code;` entity. */
function escapeMermaid(text: string): string {
  return text.replace(SPECIAL, (c) => (c === '"' ? '#quot;' : `#${c.codePointAt(0)};`));
}

/** A quoted label; lines are joined with `<br>`, mermaid's line break. */
export function mermaidLabel(lines: string[]): string {
  return `"${lines.map(escapeMermaid).join('<br>')}"`;
}

/**
 * Node and subgraph ids: `prefix` + the name with every character but letters, digits and `_`
 * spelled `_`. The prefix keeps ids off mermaid's keywords (`end`, `graph`) and `-` out of them
 * (`a--b` would read as an edge); a clash after that gets a number.
 */
export function mermaidIds(names: string[], prefix: string): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of names) {
    const base = `${prefix}${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let i = 2; taken.has(id); i++) id = `${base}_${i}`;
    taken.add(id);
    ids.set(name, id);
  }
  return ids;
}
