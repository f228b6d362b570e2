import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { didYouMean, error, type Diagnostic } from '../diagnostics.js';
import { GRAPH_EMITTERS, type GraphFormat } from '../emit/graph/graph-emitters.js';
import { graphModel } from '../emit/graph/graph-model.js';
import { blockName, fillGraphBlocks, findGraphBlocks } from '../emit/graph/markdown-blocks.js';
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

/** `name` is how messages call the matrix: as the user wrote it. */
async function drawGraph(matrix: string, format: GraphFormat, warn: (d: Diagnostic) => void, group?: string, name = matrix): Promise<string> {
  const { plan } = await compileOrThrow(matrix, warn);
  const groups = plan.groups.map((g) => g.name);
  if (group !== undefined && !groups.includes(group)) throw new UsageError(`no group "${group}" in ${name}${didYouMean(group, groups)}`);
  return GRAPH_EMITTERS[format](graphModel(plan, selectNodes(plan, group)));
}

export interface ReadmeGraphOptions {
  /** A markdown file with `<!-- graph:begin MATRIX [--group G] -->` ... `<!-- graph:end -->` blocks. */
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
  if (blocks.value.length === 0) throw new UsageError(`${o.readme} has no <!-- graph:begin MATRIX [--group G] --> ... <!-- graph:end --> block`);
  const graphs = await Promise.all(
    blocks.value.map((b) =>
      // A marker names its matrix relative to the markdown file, as a link in it would.
      drawGraph(resolve(dirname(o.readme), b.matrix), 'mermaid', o.warn, b.group, b.matrix).catch((e: unknown) => {
        // The group is the marker's mistake, not the command line's: say which line.
        throw e instanceof UsageError
          ? new InputError([
              {
                ...error(undefined, e.message, 'name a group of the bake file (`matrixbake compile MATRIX` writes them), or drop --group'),
                file: o.readme,
                line: b.begin + 1,
              },
            ])
          : e;
      }),
    ),
  );
  const text = fillGraphBlocks(current, blocks.value, graphs);
  const names = blocks.value.map(blockName).join(', ');
  if (o.check) {
    if (text !== current) throw new CheckFailed(`the graph of ${names} in ${o.readme} is stale`, [`run: matrixbake graph --readme ${o.readme}`]);
    return `${o.readme}: the graph of ${names} is current\n`;
  }
  if (text !== current) await writeAtomic(o.readme, text);
  return `${o.readme}: ${text === current ? 'the graph was current' : 'updated the graph'} of ${names}\n`;
}
