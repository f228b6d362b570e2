import type { Graph } from './graph-model.js';
import { dotLabel, quoteDot } from './quote-dot.js';

const SHARED = 'style="rounded,filled,bold", fillcolor="#fde68a", color="#b45309"';

/** A Graphviz digraph: a `cluster_<stage>` subgraph per stage, edges labelled with the named context. */
export function emitDot(g: Graph): string {
  const lines = [
    `digraph ${quoteDot(g.name)} {`,
    '  rankdir=LR;',
    '  node [shape=box, style=rounded, fontname="Helvetica"];',
    '  edge [fontname="Helvetica", fontsize=10];',
  ];
  for (const c of g.clusters) {
    lines.push(`  subgraph ${quoteDot(`cluster_${c.stage}`)} {`, `    label=${quoteDot(c.stage)};`);
    for (const n of c.nodes) {
      lines.push(`    ${quoteDot(n.name)} [label=${dotLabel(n.lines)}, tooltip=${quoteDot(n.tooltip)}${n.shared ? `, ${SHARED}` : ''}];`);
    }
    lines.push('  }');
  }
  for (const e of g.edges) lines.push(`  ${quoteDot(e.from)} -> ${quoteDot(e.to)} [label=${quoteDot(e.context)}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
