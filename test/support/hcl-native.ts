import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { HclDoc } from './hcl.js';

// hcl2-parser is hcl2json compiled to JavaScript by GopherJS, and it reads about 5 µs a byte:
// 50 to 100 ms for a small bake file, so 10,000 generated matrices would take a quarter of an
// hour. This is the same Go code at the same versions (test/support/hcl2json) built natively and
// kept running: well under a millisecond a file. The generated-matrices test holds the two
// readers equal on a sample of every run.

const SOURCE = join('test', 'support', 'hcl2json');

/** Builds the reader (Go's build cache makes it quick after the first time); undefined, after a note, when that fails outside CI. */
export function buildNativeHcl(): string | undefined {
  const bin = join(process.cwd(), 'test', '.tmp', 'hcl2json');
  try {
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: SOURCE, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOFLAGS: '-buildvcs=false' } });
    return bin;
  } catch (e) {
    const why = `cannot build the native HCL reader (${SOURCE}) with go: ${
      String((e as { stderr?: Buffer }).stderr ?? (e as Error).message)
        .trim()
        .split('\n')[0]
    }`;
    if (process.env.CI === 'true') throw new Error(`CI=true needs it: ${why}`);
    console.warn(`skipping: ${why}`);
    return undefined;
  }
}

/** One reader process; documents are framed by a 4-byte big-endian length each way. */
export class NativeHcl {
  private readonly child: ChildProcessWithoutNullStreams;
  private pending = Buffer.alloc(0);
  private readonly waiting: { resolve: (doc: HclDoc) => void; reject: (e: Error) => void }[] = [];

  constructor(bin: string) {
    // hcl2json makes garbage fast (it evaluates every expression to see if it is a literal): a
    // rarer GC makes it a third faster, and one process of a few bake files at a time stays small.
    this.child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, GOGC: '400' } });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    this.child.on('exit', (code) => this.waiting.splice(0).forEach((w) => w.reject(new Error(`the HCL reader exited (${code}): ${stderr}`))));
  }

  parse(src: string): Promise<HclDoc> {
    const doc = Buffer.from(src, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(doc.length);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(Buffer.concat([head, doc]));
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readUInt32BE(0)) {
      const n = this.pending.readUInt32BE(0);
      const text = this.pending.subarray(4, 4 + n).toString('utf8');
      this.pending = this.pending.subarray(4 + n);
      const w = this.waiting.shift()!;
      if (text.startsWith('!')) w.reject(new Error(`HCL does not parse: ${text.slice(1)}`));
      else w.resolve(JSON.parse(text) as HclDoc);
    }
  }
}
