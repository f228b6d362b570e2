// buildx's progress as the terminal shows it, drawn from `--progress=rawjson`: matrixbake asks
// buildx for rawjson so that it can read every vertex's last word (BuildKit marks a step cached
// in one update and may report layer pulls for it in a later one, after which buildx's plain
// printer says DONE where the step came from cache), and prints it in the plain printer's shape
// (buildkit util/progress/progressui/printer.go): `#N name`, its statuses and logs, then
// `#N CACHED`, `#N DONE 1.2s` or `#N ERROR: ...`. Lines that are not JSON pass through.

interface RawVertex {
  digest?: string;
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}
interface RawStatus {
  id?: string;
  vertex?: string;
  current?: number;
  total?: number;
  completed?: string;
}
interface RawLog {
  vertex?: string;
  data?: string;
}
interface RawWarning {
  vertex?: string;
  short?: string;
}

export interface ProgressRenderer {
  /** The text to print for one line of buildx's stderr (empty when nothing new). */
  line(text: string): string;
}

/**
 * `quiet`: BuildKit's warnings the matrix accepted on purpose (`[[lint.accept]]` with key
 * `check.<Rule>`). Printed on every bake, they would teach a user to read past warnings.
 */
export function progressRenderer(quiet: (warning: string) => boolean = () => false): ProgressRenderer {
  const index = new Map<string, number>();
  const cached = new Set<string>();
  const done = new Set<string>();
  const statusDone = new Set<string>();
  const open = new Map<string, string>(); // vertex -> a log line not ended yet
  const id = (digest: string, name: string | undefined, out: string[]): number => {
    let n = index.get(digest);
    if (n === undefined) {
      n = index.size + 1;
      index.set(digest, n);
      out.push(`#${n} ${name ?? digest}`);
    }
    return n;
  };
  return {
    line(text) {
      if (!text.startsWith('{')) return `${text}\n`;
      let m: { vertexes?: RawVertex[]; statuses?: RawStatus[]; logs?: RawLog[]; warnings?: RawWarning[] };
      try {
        m = JSON.parse(text);
      } catch {
        return `${text}\n`;
      }
      const out: string[] = [];
      for (const v of m.vertexes ?? []) {
        if (!v.digest) continue;
        const n = id(v.digest, v.name, out);
        if (v.cached) cached.add(v.digest);
        if (v.completed && !done.has(v.digest)) {
          done.add(v.digest);
          if (v.error) out.push(`#${n} ${/context canceled/.test(v.error) ? 'CANCELED' : `ERROR: ${v.error}`}`);
          else if (cached.has(v.digest)) out.push(`#${n} CACHED`);
          else out.push(`#${n} DONE ${seconds(v.started, v.completed)}`);
        }
      }
      for (const s of m.statuses ?? []) {
        if (!s.vertex || !s.completed || !s.id || statusDone.has(`${s.vertex} ${s.id}`)) continue;
        statusDone.add(`${s.vertex} ${s.id}`);
        const size = s.total ? ` ${bytes(s.current ?? 0)} / ${bytes(s.total)}` : s.current ? ` ${bytes(s.current)}` : '';
        out.push(`#${id(s.vertex, undefined, out)} ${s.id}${size} done`);
      }
      for (const w of m.warnings ?? [])
        if (w.vertex && w.short && !quiet(decode(w.short))) out.push(`#${id(w.vertex, undefined, out)} WARN: ${decode(w.short)}`);
      for (const l of m.logs ?? []) {
        if (!l.vertex || !l.data) continue;
        const n = id(l.vertex, undefined, out);
        const lines = ((open.get(l.vertex) ?? '') + decode(l.data)).split(/\r?\n/);
        open.set(l.vertex, lines.pop() ?? '');
        for (const x of lines) out.push(`#${n} ${x}`);
      }
      return out.length > 0 ? `${out.join('\n')}\n` : '';
    },
  };
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

function seconds(started?: string, completed?: string): string {
  const ms = started && completed ? Date.parse(completed) - Date.parse(started) : NaN;
  return Number.isNaN(ms) ? '0.0s' : `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  for (; n >= 1000 && i < units.length - 1; i++) n /= 1000;
  return `${i === 0 ? n : n.toFixed(2)}${units[i]}`;
}
