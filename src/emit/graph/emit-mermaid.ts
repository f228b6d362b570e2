import type { Graph } from './graph-model.js';
import { mermaidIds, mermaidLabel } from './quote-mermaid.js';

/** A mermaid flowchart: a subgraph per stage, edges labelled with the named context, shared nodes in class `shared`. */
export function emitMermaid(g: Graph): string {
  const nodes = g.clusters.flatMap((c) => c.nodes);
  const id = mermaidIds(
    nodes.map((n) => n.name),
    't_',
  );
  const cluster = mermaidIds(
    g.clusters.map((c) => c.stage),
    's_',
  );
  const lines = ['flowchart LR'];
  for (const c of g.clusters) {
    lines.push(`  subgraph ${cluster.get(c.stage)}[${mermaidLabel([c.stage])}]`);
    for (const n of c.nodes) lines.push(`    ${id.get(n.name)}[${mermaidLabel(n.lines)}]`);
    lines.push('  end');
  }
  for (const e of g.edges) lines.push(`  ${id.get(e.from)} -->|${mermaidLabel([e.context])}| ${id.get(e.to)}`);
  const shared = nodes.filter((n) => n.shared).map((n) => id.get(n.name));
  if (shared.length > 0) {
    lines.push('  classDef shared fill:#fde68a,stroke:#b45309,stroke-width:3px');
    lines.push(`  class ${shared.join(',')} shared`);
  }
  return `${lines.join('\n')}\n`;
}
