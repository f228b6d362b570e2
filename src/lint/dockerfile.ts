import { DockerfileParser, type Instruction } from 'dockerfile-ast';

// A Dockerfile as plain data for the lint: its global ARGs and, per stage, what it declares and
// which other stages or named contexts it reads. Parsed with dockerfile-ast; lines are 1-based.

interface Declared {
  name: string;
  line: number;
  /** Default value, when the ARG gives one. */
  value?: string;
}

interface StageRef {
  how: 'FROM' | 'COPY --from' | 'RUN --mount from';
  /** As written: may hold `${VAR}`; expanded by the lint per target. */
  name: string;
  line: number;
}

interface SecretMount {
  id: string;
  line: number;
}

export interface DockerStage {
  /** `AS` name, lower-cased as BuildKit matches it; undefined for an unnamed stage. */
  name?: string;
  index: number;
  line: number;
  base: StageRef;
  args: Declared[];
  refs: StageRef[];
  secrets: SecretMount[];
}

export interface DockerfileModel {
  /** ARGs before the first FROM: usable in FROM lines and re-declarable in stages. */
  metaArgs: Declared[];
  stages: DockerStage[];
}

export function parseDockerfile(text: string): DockerfileModel {
  const metaArgs: Declared[] = [];
  const stages: DockerStage[] = [];
  for (const ins of DockerfileParser.parse(text).getInstructions()) {
    const line = ins.getRange().start.line + 1;
    const keyword = ins.getKeyword();
    const current = stages.at(-1);
    if (keyword === 'FROM') {
      const words = (ins.getArgumentsContent() ?? '')
        .trim()
        .split(/\s+/)
        .filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toLowerCase() === 'as');
      stages.push({
        ...(as >= 0 && words[as + 1] ? { name: words[as + 1]!.toLowerCase() } : {}),
        index: stages.length,
        line,
        base: { how: 'FROM', name: words[0] ?? '', line },
        args: [],
        refs: [],
        secrets: [],
      });
    } else if (keyword === 'ARG') {
      (current ? current.args : metaArgs).push(...argDeclarations(ins, line));
    } else if (current && (keyword === 'COPY' || keyword === 'ADD')) {
      const from = flags(ins).find((f) => f.name === 'from');
      if (from?.value) current.refs.push({ how: 'COPY --from', name: from.value, line });
    } else if (current && keyword === 'RUN') {
      for (const f of flags(ins)) {
        if (f.name !== 'mount' || !f.value) continue;
        const opts = Object.fromEntries(f.value.split(',').map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)]));
        if (opts.from) current.refs.push({ how: 'RUN --mount from', name: opts.from, line });
        if (opts.type === 'secret' && opts.id) current.secrets.push({ id: opts.id, line });
      }
    }
  }
  return { metaArgs, stages };
}

// `ARG A B=2`: dockerfile-ast reads only the first property, so split the words ourselves.
function argDeclarations(ins: Instruction, line: number): Declared[] {
  return ins.getArguments().map((a) => {
    const word = a.getValue();
    const eq = word.indexOf('=');
    return eq < 0 ? { name: word, line } : { name: word.slice(0, eq), line, value: unquote(word.slice(eq + 1)) };
  });
}

function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

function flags(ins: Instruction): { name: string; value: string | null }[] {
  const withFlags = ins as Instruction & { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  return (withFlags.getFlags?.() ?? []).map((f) => ({ name: f.getName(), value: f.getValue() }));
}
