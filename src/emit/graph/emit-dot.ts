import type { Graph } from './graph-model.js';
import { dotIds, dotLabel, quoteDot } from './quote-dot.js';

const SHARED = 'style="rounded,filled,bold", fillcolor="#fde68a", color="#b45309"';

/** A Graphviz digraph: a `cluster_<stage>` subgraph per stage, edges labelled with the named context. */
export function emitDot(g: Graph): string {
  const lines = [
    `digraph ${quoteDot(g.name)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  const id = dotIds(g.clusters.flatMap((c) => c.nodes.map((n) => n.name)));
  const cluster = dotIds(
    g.clusters.map((c) => c.stage),
    'cluster_',
  );
  for (const c of g.clusters) {
    lines.push(`  subgraph ${cluster.get(c.stage)} {`, `    label=${quoteDot(c.stage)};`);
    for (const n of c.nodes) {
      lines.push(`    ${id.get(n.name)} [label=${dotLabel(n.lines)}, tooltip=${quoteDot(n.tooltip)}${n.shared ? `, ${SHARED}` : ''}];`);
    }
    lines.push('  }');
  }
  for (const e of g.edges) lines.push(`  ${id.get(e.from)} -> ${id.get(e.to)} [label=${quoteDot(e.context)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
