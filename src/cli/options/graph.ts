import { GRAPH_FORMATS } from '../../emit/graph/graph-emitters.js';
import type { CommandSpec } from '../spec.js';
import { MATRIX } from './shared.js';

export const graph = {
  usage: ['[MATRIX] [--format mermaid|dot|svg] [--group G] [-o FILE]', '--readme FILE [--check]'],
  summary: 'Draw the build graph (mermaid, dot, svg), or redraw it in a README.',
  description: [
    'The build graph: one box per multi-arch target (its platforms in the label), a box per stage around them, an arrow from each linked target to what links it, labelled with the named context; targets linked by more than one are drawn shared.',
    '--readme FILE redraws the mermaid graph between `<!-- graph:begin MATRIX -->` and `<!-- graph:end -->` in FILE, for the MATRIX the marker names (relative to FILE).',
  ],
  positionals: { matrix: MATRIX },
  flags: {
    format: {
      type: 'string',
      short: 'f',
      value: 'F',
      choices: GRAPH_FORMATS,
      default: 'mermaid',
      label: 'graph --format',
      help: 'mermaid (default), dot, or svg (laid out by Graphviz compiled to WebAssembly, no install)',
    },
    group: { type: 'string', value: 'G', help: 'keep the targets of group G and everything they link' },
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write FILE atomically instead of stdout' },
    readme: { type: 'string', value: 'FILE', help: 'redraw every marked mermaid block of the markdown FILE' },
    check: { type: 'boolean', help: 'with --readme: write nothing; exit 1 if a block is stale' },
  },
  examples: [
    { run: 'matrixbake graph --format svg --group vllm -o vllm.svg' },
    { run: 'matrixbake graph matrix/demo.toml --format dot' },
    { run: 'matrixbake graph --readme README.md --check', why: "in CI: is the README's picture current?" },
  ],
} as const satisfies CommandSpec;
