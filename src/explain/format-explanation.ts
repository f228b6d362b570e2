import { table } from '../table.js';
import type { ExcludeEffect } from './exclude-effects.js';
import type { Explanation } from './explain-target.js';

/** The explanation as text: a few `key: value` lines, then one section per list. */
export function formatExplanation(x: Explanation): string {
  const facts: [string, string][] = [
    ['cell', cellText(x.cell) || '(the stage has no axes)'],
    ...(x.arch !== undefined ? [['node', `${x.node} (this is its ${x.platforms[0]} twin)`] as [string, string]] : []),
    ['stage', `${x.stage} (dependency level ${x.level})`],
    ['dockerfile', `${x.dockerfile} (from ${x.dockerfileKey}), stage "${x.dockerTarget}"`],
    ...(x.dockerfileParts ? [['composed of', `${x.dockerfileParts.join(' + ')} (written by matrixbake before each build)`] as [string, string]] : []),
    ['platforms', x.platforms.join(', ') || "(no arch axis: the builder's own)"],
    ...(x.twins.length > 0 ? [['twins', x.twins.join(', ')] as [string, string]] : []),
    ...(x.perArch
      ? [
          [
            'built as',
            `its twins, not one multi-platform target: ${[...(x.perArch.args.length > 0 ? [`args ${x.perArch.args.join(', ')} differ per arch`] : []), ...(x.perArch.links.length > 0 ? [`it links ${x.perArch.links.join(', ')}, built so`] : [])].join('; ')} (explain ${x.twins[0] ?? '<twin>'} for one)`,
          ] as [string, string],
        ]
      : []),
  ];
  const width = Math.max(...facts.map(([k]) => k.length)) + 2;
  const out = [`${x.target}: ${x.description}`, ...facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`)];
  const section = (title: string, lines: string[], none = 'none') =>
    out.push(lines.length > 0 ? `${title}:` : `${title}: ${none}`, ...lines.map((l) => `  ${l}`));

  section(
    x.perArch ? "args (every twin; each also gets its own arch's)" : 'args',
    columns(
      x.args.map((a) =>
        a.variable
          ? [a.name, '', `<- bake variable ${a.variable.name} (default ${a.variable.default})`]
          : [
              a.name,
              `= ${a.bake}`,
              `<- ${a.from === 'sccache' ? '[sccache], passed only when USE_SCCACHE is true' : a.from}${a.over ? ` (over ${a.over.map((o) => `${o.from} = ${JSON.stringify(o.value)}`).join(', ')})` : ''}`,
            ],
      ),
    ),
  );
  if (x.withheld.length > 0)
    section(
      'not passed (kept to other stages)',
      columns(x.withheld.map((w) => [w.name, `<- ${w.from.join(', ')}`, `(arg.${w.name}.stages: ${w.stages.join(', ')})`])),
    );
  section('links', columns(x.links.map((l) => [l.context, `-> ${l.target}`, l.via ? `(via ${l.via})` : ''])));
  if (x.sources.length > 0) section('contexts (no stage)', columns(x.sources.map((s) => [s.context, `= ${s.source}`, `<- ${s.from}`])));
  section('linked by', columns(x.linkedBy.map((l) => [l.target, `as ${l.context}`, l.via ? `(via ${l.via})` : ''])));
  if (x.perArch) section('cache', [], "its twins' (a group in the bake file has none)");
  else if (x.cache) {
    section('cache-from', x.cache.from);
    section(`cache-to${x.cache.toWhen ? ` (only when ${x.cache.toWhen} is true)` : ''}`, x.cache.to);
  } else section('cache', [], 'none (the matrix has no [cache])');
  section('tags', x.tags, `none (${x.untagged})`);
  section('excludes', x.excludes.flatMap(effectLines));
  return `${out.join('\n')}\n`;
}

/** `matrix.exclude[0] (framework=trtllm cuda=12: "reason") removed runtime-trtllm-cuda12`. */
function effectLines(e: ExcludeEffect): string[] {
  const match = Object.entries(e.exclude.match)
    .map(([k, v]) => `${k}=${v.join('|')}`)
    .join(' ');
  const which = `${e.key} (${match}: ${JSON.stringify(e.exclude.reason)})`;
  const lines: string[] = [];
  if (e.removed.length > 0) lines.push(`${which} removed ${e.removed.join(', ')}`);
  if (e.cells > 0) {
    const values = Object.entries(e.cellsWith)
      .map(([k, v]) => `${k}=${v.join('|')}`)
      .join(' ');
    lines.push(`${which} removed ${e.cells} of the cells it is built for${values ? ` (${values})` : ''}`);
  }
  return lines;
}

function cellText(cell: Record<string, string>): string {
  return Object.entries(cell)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

const columns = (rows: string[][]) => table(rows, ' ');
