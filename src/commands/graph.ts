import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { didYouMean, type Diagnostic } from '../diagnostics.js';
import { GRAPH_EMITTERS, type GraphFormat } from '../emit/graph/graph-emitters.js';
import { graphModel } from '../emit/graph/graph-model.js';
import { fillGraphBlocks, findGraphBlocks } from '../emit/graph/markdown-blocks.js';
import { selectNodes } from '../emit/graph/select-nodes.js';
import { CheckFailed, InputError, UsageError } from '../errors.js';
import { writeAtomic } from '../write/write-atomic.js';
import { compileOrThrow } from './compile-or-throw.js';

export interface GraphOptions {
  matrix: string;
  format: GraphFormat;
  /** Only this plan group's nodes and what they link. */
  group?: string;
  /** Output file, written atomically; undefined = return the text for stdout. */
  out?: string;
  warn: (d: Diagnostic) => void;
}

/** The build graph of a matrix in one format: the text for stdout, or '' when written to `out`. */
export async function graphCommand(o: GraphOptions): Promise<string> {
  const text = await drawGraph(o.matrix, o.format, o.warn, o.group);
  if (o.out === undefined) return text;
  await writeAtomic(o.out, text);
  return '';
}

async function drawGraph(matrix: string, format: GraphFormat, warn: (d: Diagnostic) => void, group?: string): Promise<string> {
  const { plan } = await compileOrThrow(matrix, warn);
  const groups = plan.groups.map((g) => g.name);
  if (group !== undefined && !groups.includes(group)) throw new UsageError(`no group "${group}" in ${matrix}${didYouMean(group, groups)}`);
  return GRAPH_EMITTERS[format](graphModel(plan, selectNodes(plan, group)));
}

export interface ReadmeGraphOptions {
  /** A markdown file with `<!-- graph:begin MATRIX -->` ... `<!-- graph:end -->` blocks. */
  readme: string;
  /** Compare instead of writing: exit 1 when a block is stale. */
  check: boolean;
  warn: (d: Diagnostic) => void;
}

/** Regenerates (or checks) the mermaid graph in each marked block of a markdown file. */
export async function readmeGraphCommand(o: ReadmeGraphOptions): Promise<string> {
  const current = await readFile(o.readme, 'utf8').catch(() => {
    throw new UsageError(`cannot read ${o.readme}`);
  });
  const blocks = findGraphBlocks(current);
  if (!blocks.ok) throw new InputError(blocks.errors.map((d) => ({ ...d, file: o.readme })));
  if (blocks.value.length === 0) throw new UsageError(`${o.readme} has no <!-- graph:begin MATRIX --> ... <!-- graph:end --> block`);
  // A marker names its matrix relative to the markdown file, as a link in it would.
  const matrices = blocks.value.map((b) => resolve(dirname(o.readme), b.matrix));
  const graphs = await Promise.all(matrices.map((m) => drawGraph(m, 'mermaid', o.warn)));
  const text = fillGraphBlocks(current, blocks.value, graphs);
  const names = blocks.value.map((b) => b.matrix).join(', ');
  if (o.check) {
    if (text !== current) throw new CheckFailed(`the graph of ${names} in ${o.readme} is stale`, [`run: matrixbake graph --readme ${o.readme}`]);
    return `${o.readme}: the graph of ${names} is current\n`;
  }
  if (text !== current) await writeAtomic(o.readme, text);
  return `${o.readme}: ${text === current ? 'the graph was current' : 'updated the graph'} of ${names}\n`;
}
