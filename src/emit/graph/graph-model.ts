import type { Plan, PlanTarget } from '../../plan/plan.js';

// The picture every graph format draws, as plain data: emitters only spell it.

interface GraphNode {
  /** The target name: unique, and what the user types. */
  name: string;
  /** Label lines: the name, then the platforms (twins are not drawn, so their platforms are said here). */
  lines: string[];
  /** The target's description, for formats with hover text. */
  tooltip: string;
  /** Linked by more than one drawn node: a layer built once and reused. */
  shared: boolean;
}

interface GraphCluster {
  stage: string;
  nodes: GraphNode[];
}

interface GraphEdge {
  /** The linked node (built first). */
  from: string;
  /** The node that links it. */
  to: string;
  /** The named context `to` reads `from` as (`dynamo-base`). */
  context: string;
}

export interface Graph {
  /** The image the matrix builds, as the graph's name. */
  name: string;
  /** One per stage that has drawn nodes, in the matrix's stage order. */
  clusters: GraphCluster[];
  edges: GraphEdge[];
}

/**
 * Nodes -> clusters and edges. Edges are the stages' own `uses`; a link a node inherits through a
 * context (`via`, see plan-graph.ts inheritLinks) is left out: it names no new dependency, only
 * one BuildKit needs spelled out, and it would double the edges of every ci/dev node.
 */
export function graphModel(plan: Plan, nodes: PlanTarget[]): Graph {
  const drawn = new Set(nodes.map((n) => n.name));
  const edges = nodes.flatMap((n) =>
    n.links.filter((l) => l.via === undefined && drawn.has(l.target)).map((l) => ({ from: l.target, to: n.name, context: l.context })),
  );
  const consumers = new Map<string, Set<string>>();
  for (const e of edges) (consumers.get(e.from) ?? consumers.set(e.from, new Set()).get(e.from)!).add(e.to);
  const node = (n: PlanTarget): GraphNode => ({
    name: n.name,
    lines: [n.name, ...(n.platforms.length > 0 ? [n.platforms.join(', ')] : [])],
    tooltip: n.description,
    shared: (consumers.get(n.name)?.size ?? 0) > 1,
  });
  const clusters = plan.matrix.stages
    .map((s) => ({ stage: s.name, nodes: nodes.filter((n) => n.stage === s.name).map(node) }))
    .filter((c) => c.nodes.length > 0);
  return { name: plan.matrix.project.image, clusters, edges };
}
