import { emitDot } from './emit-dot.js';
import { emitMermaid } from './emit-mermaid.js';
import type { Graph } from './graph-model.js';
import { renderSvg } from './render-svg.js';

/** Output formats of `graph`, each a function of the graph model alone. svg is the dot output, laid out. */
export const GRAPH_EMITTERS = {
  mermaid: emitMermaid,
  dot: emitDot,
  svg: (g: Graph) => renderSvg(emitDot(g)),
} satisfies Record<string, (g: Graph) => string | Promise<string>>;

export type GraphFormat = keyof typeof GRAPH_EMITTERS;
export const GRAPH_FORMATS = Object.keys(GRAPH_EMITTERS) as GraphFormat[];
