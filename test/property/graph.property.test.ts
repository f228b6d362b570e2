import { instance } from '@viz-js/viz';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLoaded } from '../../src/compile.js';
import { emitDot } from '../../src/emit/graph/emit-dot.js';
import { emitMermaid } from '../../src/emit/graph/emit-mermaid.js';
import { graphModel, type Graph } from '../../src/emit/graph/graph-model.js';
import { selectNodes } from '../../src/emit/graph/select-nodes.js';

// Whatever a user writes in an axis value, a description or a name, the graph keeps its shape:
// mermaid has one line per node, edge and subgraph, each label decodes back to the text; dot
// parses, and Graphviz lays out exactly the nodes, edges and clusters of the model.

const viz = await instance();
const tricky = fc.constantFrom(
  '"',
  "'",
  '\\',
  '\\n',
  '#',
  '#quot;',
  '#35;',
  '&',
  '&amp;',
  '<',
  '>',
  '<br>',
  '[',
  ']',
  '(',
  ')',
  '{',
  '}',
  '|',
  '`',
  ':',
  ';',
  '-->',
  '---',
  'end',
  'style x:#f00;',
  'classDef',
  '%%',
  '\n',
  '\r',
  '\t',
  '\u0001',
  '\u007f',
  '\u2028',
  '¶ß',
  'ﬂ°',
  'é',
  '日本',
  '🚀',
  ' ',
);
const text = fc.array(fc.oneof(tricky, fc.string({ maxLength: 5 })), { maxLength: 6 }).map((a) => a.join(''));

/** The inverse of quote-mermaid's escaping, as mermaid decodes entities. */
const decodeMermaid = (s: string) => s.replace(/#quot;/g, '"').replace(/#(\d+);/g, (_, c: string) => String.fromCodePoint(Number(c)));

/** A model with arbitrary names and labels: what emitters must survive, whatever the plan allows. */
const graphs: fc.Arbitrary<Graph> = fc
  .record({
    name: text,
    stages: fc.uniqueArray(text, { minLength: 1, maxLength: 3 }),
    names: fc.uniqueArray(text, { minLength: 1, maxLength: 5 }),
    lines: fc.array(text, { maxLength: 2 }),
    contexts: fc.array(text, { maxLength: 6 }),
  })
  .map(({ name, stages, names, lines, contexts }) => ({
    name,
    clusters: stages
      .map((stage, i) => ({
        stage,
        nodes: names
          .filter((_, j) => j % stages.length === i)
          .map((n) => ({ name: n, lines: [n, ...lines], tooltip: `${n}${lines.join('')}`, shared: n.length % 2 === 0 })),
      }))
      .filter((c) => c.nodes.length > 0), // as graphModel: a stage with no node drawn has no cluster
    edges: contexts.map((context, i) => ({ from: names[i % names.length]!, to: names[(i + 1) % names.length]!, context })),
  }));

function checkMermaid(g: Graph): void {
  const lines = emitMermaid(g).trimEnd().split('\n');
  const nodes = g.clusters.flatMap((c) => c.nodes);
  const nodeLines = lines.filter((l) => /^ {4}t_\w*\[/.test(l));
  expect(nodeLines).toHaveLength(nodes.length);
  nodeLines.forEach((l, i) => {
    const m = /^ {4}t_\w*\["([^"]*)"\]$/.exec(l);
    expect(m, l).not.toBeNull();
    expect(m![1]!.split('<br>').map(decodeMermaid)).toEqual(nodes[i]!.lines);
  });
  expect(lines.filter((l) => /^ {2}subgraph /.test(l))).toHaveLength(g.clusters.length);
  const edgeLines = lines.filter((l) => / -->/.test(l));
  expect(edgeLines).toHaveLength(g.edges.length);
  edgeLines.forEach((l, i) => {
    const m = /^ {2}t_\w* -->\|"([^"|]*)"\| t_\w*$/.exec(l);
    expect(m, l).not.toBeNull();
    expect(decodeMermaid(m![1]!)).toBe(g.edges[i]!.context);
  });
  // Nothing else: the header, `end` of each subgraph, and the shared class.
  expect(lines.length - nodeLines.length - edgeLines.length - 2 * g.clusters.length).toBe(1 + (nodes.some((n) => n.shared) ? 2 : 0));
}

function checkDot(g: Graph): void {
  const r = viz.render(emitDot(g), { format: 'json' });
  expect(
    r.errors.filter((e) => e.level === 'error'),
    emitDot(g),
  ).toEqual([]);
  expect(r.status).toBe('success');
  const laid = JSON.parse(r.output!) as { objects?: { name: string; nodes?: number[] }[]; edges?: unknown[] };
  const objects = laid.objects ?? [];
  // Names are compared by count: in an ID, Graphviz keeps `\\` as two characters (only `\"` is an escape).
  expect(objects.filter((o) => o.nodes !== undefined).map((o) => o.nodes!.length)).toEqual(g.clusters.map((c) => c.nodes.length));
  expect(objects.filter((o) => o.nodes === undefined)).toHaveLength(g.clusters.flatMap((c) => c.nodes).length);
  expect(laid.edges ?? []).toHaveLength(g.edges.length);
}

describe('graph escaping', () => {
  it('arbitrary names, labels and contexts keep the mermaid and dot graphs whole', () => {
    fc.assert(
      fc.property(graphs, (g) => {
        checkMermaid(g);
        checkDot(g);
      }),
      // Found in a run: "\u0001" and "\t" both read " " in an ID, and were one node.
      {
        numRuns: 200,
        examples: [
          [
            {
              name: '',
              clusters: [
                { stage: '', nodes: ['\u0001', '\t', ''].map((n) => ({ name: n, lines: [n], tooltip: n, shared: n === '' })) },
                { stage: '\t', nodes: [{ name: 'x', lines: ['x'], tooltip: 'x', shared: false }] },
                { stage: '\u0001', nodes: [{ name: 'y', lines: ['y'], tooltip: 'y', shared: false }] },
              ],
              edges: [{ from: '\t', to: '\u0001', context: 'c' }],
            },
          ],
        ],
      },
    );
  });

  it('arbitrary axis values and descriptions in a matrix cannot break either syntax', () => {
    fc.assert(
      fc.property(text, text, (value, description) => {
        const raw = {
          project: { image: 'img', description },
          matrix: { fw: [value, 'y'], arch: ['amd64', 'arm64'] },
          stage: {
            base: { dockerfile: 'Dockerfile', description },
            app: { dockerfile: 'Dockerfile', axes: ['fw'], uses: { ctx: 'base' }, publish: true, description },
          },
        };
        const r = compileLoaded({ file: 'prop.toml', text: '', raw });
        // A value whose name-safe spelling clashes with `y` (or is not NFC) is refused: nothing to draw.
        fc.pre(r.ok);
        if (!r.ok) return;
        const g = graphModel(r.value.plan, selectNodes(r.value.plan));
        checkMermaid(g);
        checkDot(g);
        expect(g.clusters.flatMap((c) => c.nodes)).toHaveLength(3);
      }),
      { numRuns: 200 },
    );
  });
});
