import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphCommand, readmeGraphCommand, type GraphOptions } from '../../../src/commands/graph.js';
import { CheckFailed, InputError, UsageError } from '../../../src/errors.js';
import { cliRunner } from '../../support/cli-build.js';
import { compileOk } from '../../support/compile.js';

// `matrixbake graph`: the picture of the build graph a user reviews, and the one in the README.

const graph = (o: Partial<GraphOptions> = {}) => graphCommand({ matrix: 'matrix/dynamo.toml', format: 'mermaid', warn: () => {}, ...o });
const { plan } = await compileOk('matrix/dynamo.toml');
const nodes = plan.targets.filter((t) => t.arch === undefined).map((t) => t.name);
/** Mermaid node lines: `t_<id>["<name><br>..."]`, by the name they show. */
const drawn = (mermaid: string) => [...mermaid.matchAll(/^ {4}t_\w+\["([^"<]+)/gm)].map((m) => m[1]!);

describe('graph of matrix/demo.toml', () => {
  it.each([
    ['mermaid', 'mmd'],
    ['dot', 'dot'],
  ] as const)('draws the reviewed %s', async (format, extension) => {
    await expect(await graph({ matrix: 'matrix/demo.toml', format })).toMatchFileSnapshot(`../../golden/demo-graph.${extension}`);
  });

  it('lays the dot graph out as svg in-process: starts at <svg and names every node', async () => {
    const svg = await graph({ matrix: 'matrix/demo.toml', format: 'svg' });
    expect(svg.startsWith('<svg')).toBe(true);
    // Graphviz writes `-` as `&#45;` in SVG text.
    const text = svg.replace(/&#(\d+);/g, (_, c: string) => String.fromCodePoint(Number(c)));
    const { plan: demo } = await compileOk('matrix/demo.toml');
    for (const t of demo.targets.filter((x) => x.arch === undefined)) expect(text).toContain(`>${t.name}</text>`);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });
});

describe('graph of matrix/dynamo.toml', () => {
  it('draws every multi-arch target once, in a subgraph per stage, and no per-arch twin', async () => {
    const mermaid = await graph();
    expect(drawn(mermaid)).toEqual(nodes);
    expect(mermaid).not.toMatch(/-(amd64|arm64)\b/);
    expect(mermaid).toContain('t_runtime_vllm_cuda12["runtime-vllm-cuda12<br>linux/amd64, linux/arm64"]');
    expect([...mermaid.matchAll(/^ {2}subgraph s_(\w+)\["([^"]+)"\]$/gm)].map((m) => m[2])).toEqual([
      'base',
      'wheel',
      'backend',
      'runtime',
      'ci',
      'dev',
      'local-dev',
    ]);
  });

  it('leaves the excluded TensorRT-LLM CUDA 12 images out', async () => {
    for (const format of ['mermaid', 'dot'] as const) expect(await graph({ format })).not.toContain('trtllm-cuda12');
  });

  it('labels each edge with the named context and marks the layers linked by more than one target as shared', async () => {
    const mermaid = await graph();
    expect(mermaid).toContain('  t_base_cuda12 -->|"dynamo-base"| t_backend_vllm_cuda12\n');
    expect(mermaid).toContain('  t_wheel_cuda13 -->|"dynamo-wheels"| t_runtime_trtllm_cuda13\n');
    const shared = /^ {2}class (\S+) shared$/m.exec(mermaid)![1]!.split(',');
    // runtime is linked by its ci and dev images, dev by local-dev alone.
    expect(shared).toEqual([
      't_base_cuda12',
      't_base_cuda13',
      't_wheel_cuda12',
      't_wheel_cuda13',
      't_runtime_vllm_cuda12',
      't_runtime_vllm_cuda13',
      't_runtime_sglang_cuda12',
      't_runtime_sglang_cuda13',
      't_runtime_trtllm_cuda13',
    ]);
    const dot = await graph({ format: 'dot' });
    expect(dot).toContain('  "base-cuda12" -> "backend-vllm-cuda12" [label="dynamo-base"];\n');
    expect(dot).toMatch(/^ {4}"base-cuda12" \[.*fillcolor=/m);
    expect(dot).not.toMatch(/^ {4}"backend-vllm-cuda12" \[.*fillcolor=/m);
    expect(dot).toContain('  subgraph "cluster_local-dev" {\n');
  });

  it('draws inherited links (ci reads backend through runtime) as the one edge they come through', async () => {
    const mermaid = await graph();
    expect(mermaid).toContain('t_runtime_vllm_cuda12 -->|"runtime"| t_ci_vllm_cuda12');
    expect(mermaid).not.toContain('t_backend_vllm_cuda12 -->|"backend"| t_ci_vllm_cuda12');
  });

  it('--group vllm keeps the vllm images and the shared layers they link, nothing of another framework', async () => {
    const names = drawn(await graph({ group: 'vllm' }));
    const vllm = nodes.filter((n) => n.includes('-vllm-'));
    expect(names).toEqual(nodes.filter((n) => vllm.includes(n) || /^(base|wheel)-/.test(n)));
    expect(names).toContain('local-dev-vllm-cuda13');
    expect(names.filter((n) => /sglang|trtllm/.test(n))).toEqual([]);
  });

  it('--group of twins draws their multi-arch nodes', async () => {
    expect(drawn(await graph({ group: 'amd64' }))).toEqual(nodes);
  });

  it('an unknown group is a usage error with a suggestion', async () => {
    await expect(graph({ group: 'vlm' })).rejects.toThrow(new UsageError('no group "vlm" in matrix/dynamo.toml (did you mean "vllm"?)'));
  });

  it('-o writes the file atomically and prints nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    expect(await graph({ format: 'dot', out: join(dir, 'graph.dot') })).toBe('');
    expect(readFileSync(join(dir, 'graph.dot'), 'utf8')).toBe(await graph({ format: 'dot' }));
    expect(readdirSync(dir)).toEqual(['graph.dot']);
  });
});

describe('the graph in README.md', () => {
  const readme = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    writeFileSync(join(dir, 'README.md'), text);
    return join(dir, 'README.md');
  };
  const abs = join(process.cwd(), 'matrix/dynamo.toml');

  it('is current: it is what `graph --readme README.md` draws (make readme-graph)', async () => {
    await expect(readmeGraphCommand({ readme: 'README.md', check: true, warn: () => {} })).resolves.toBe(
      'README.md: the graph of matrix/dynamo.toml --group vllm is current\n',
    );
    const block = /<!-- graph:begin matrix\/dynamo.toml --group vllm -->\n```mermaid\n([^]*?)```\n<!-- graph:end -->/.exec(
      readFileSync('README.md', 'utf8'),
    )![1];
    expect(block).toBe(await graph({ group: 'vllm' }));
  });

  it('a marker may name a group (`--group G`, as on the command line): the block draws that group alone', async () => {
    const file = readme(`<!-- graph:begin ${abs} --group vllm -->\n<!-- graph:end -->\n<!-- graph:begin ${abs} --group=cuda13 -->\n<!-- graph:end -->\n`);
    await expect(readmeGraphCommand({ readme: file, check: false, warn: () => {} })).resolves.toBe(
      `${file}: updated the graph of ${abs} --group vllm, ${abs} --group cuda13\n`,
    );
    const blocks = [...readFileSync(file, 'utf8').matchAll(/```mermaid\n([^]*?)```/g)].map((m) => m[1]);
    expect(blocks).toEqual([await graph({ group: 'vllm' }), await graph({ group: 'cuda13' })]);
    expect(blocks[0]).not.toEqual(await graph());
    await expect(readmeGraphCommand({ readme: file, check: true, warn: () => {} })).resolves.toMatch(/is current/);
  });

  it.each([
    ['an unknown group', `${abs} --group vlm`, `no group "vlm" in ${abs} (did you mean "vllm"?)`],
    ['--group with no group', `${abs} --group`, 'the graph:begin marker has --group without a group, or more than one'],
    ['an option it does not know', `${abs} --format dot`, 'the graph:begin marker has an option it does not know: --format'],
    ['an option it does not know after the group', `${abs} --group vllm --format=dot`, 'the graph:begin marker has an option it does not know: --format'],
  ])('a marker with %s is bad input, with its line, and the file is left as it was', async (_, marker, message) => {
    const text = `# x\n\n<!-- graph:begin ${marker} -->\n<!-- graph:end -->\n`;
    const file = readme(text);
    const e = await readmeGraphCommand({ readme: file, check: false, warn: () => {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).diagnostics).toMatchObject([{ file, line: 3, message }]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('fills an empty block and keeps the rest of the file; --check then passes', async () => {
    const file = readme(`# x\n\n<!-- graph:begin ${abs} -->\n<!-- graph:end -->\n\ntail\n`);
    await readmeGraphCommand({ readme: file, check: false, warn: () => {} });
    expect(readFileSync(file, 'utf8')).toBe(`# x\n\n<!-- graph:begin ${abs} -->\n\`\`\`mermaid\n${await graph()}\`\`\`\n<!-- graph:end -->\n\ntail\n`);
    await expect(readmeGraphCommand({ readme: file, check: true, warn: () => {} })).resolves.toMatch(/is current/);
  });

  it('--check fails on a stale block and leaves the file as it was', async () => {
    const text = `<!-- graph:begin ${abs} -->\n\`\`\`mermaid\nflowchart LR\n\`\`\`\n<!-- graph:end -->\n`;
    const file = readme(text);
    await expect(readmeGraphCommand({ readme: file, check: true, warn: () => {} })).rejects.toThrow(CheckFailed);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('a begin marker with no end is bad input, with its line', async () => {
    const file = readme(`a\n<!-- graph:begin ${abs} -->\nb\n`);
    const e = await readmeGraphCommand({ readme: file, check: false, warn: () => {} }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).diagnostics).toMatchObject([{ file, line: 2, message: `the graph block of ${abs} has no end marker` }]);
  });
});

describe('matrixbake graph (CLI)', () => {
  const cli = cliRunner();

  it('prints mermaid by default; --format svg; -o FILE', () => {
    expect(cli(['graph']).stdout).toMatch(/^flowchart LR\n/);
    const dir = mkdtempSync(join(tmpdir(), 'mb-'));
    const r = cli(['graph', 'matrix/demo.toml', '--format', 'svg', '--group', 'vllm', '-o', join(dir, 'g.svg')]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(dir, 'g.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('usage errors exit 2 with one line', () => {
    for (const args of [
      ['graph', '--format', 'png'],
      ['graph', '--group', 'vlm'],
      ['graph', '--readme', 'README.md', '--format', 'dot'],
    ]) {
      const r = cli(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(cli(['graph', '--group', 'vlm']).stderr).toMatch(/did you mean "vllm"/);
  });
});
