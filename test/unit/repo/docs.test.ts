import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../../src/commands/lint.js';
import { KNOWN_KEYS } from '../../../src/validate/known-keys.js';
import { compileOk } from '../../support/compile.js';

// The docs a newcomer reads: README.md and docs/. Their links lead somewhere, the example they
// start from compiles, and nothing in the project points outside it.

const ROOT = process.cwd();
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The markdown without fenced code blocks, where `# x` is no heading and `[x](y)` no link. */
const withoutFences = (md: string) => md.replace(/^(```|~~~)[^]*?^\1/gm, '');
/** ... and without inline code either. */
const prose = (md: string) => withoutFences(md).replace(/(`+)[^`][^]*?\1/g, '');

/** Relative links `[text](target)`, as [target path, #fragment]. */
function relativeLinks(md: string): [string, string | undefined][] {
  return [...prose(md).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t))
    .map((t) => {
      const [path, fragment] = t.split('#', 2) as [string, string | undefined];
      return [path, fragment];
    });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchors = (md: string) => [...withoutFences(md).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)].map((m) => slug(m[1]!));

describe('README.md and docs/', () => {
  it.each(DOCS)('every relative link in %s leads to a file of the repository (and a heading in it)', (doc) => {
    const md = readFileSync(doc, 'utf8');
    const broken: string[] = [];
    for (const [path, fragment] of relativeLinks(md)) {
      const target = path === '' ? resolve(doc) : resolve(dirname(doc), decodeURIComponent(path));
      const inRepo = relative(ROOT, target);
      if (inRepo.startsWith(`..${sep}`) || inRepo === '..') broken.push(`${path}: outside the repository`);
      else if (!existsSync(target)) broken.push(`${path}: no such file`);
      else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).includes(fragment)) {
        broken.push(`${path}#${fragment}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the link checker sees links, and only links', () => {
    const md = '[a](docs/x.md) `[b](no.md)` [c](https://e.com) [d](#h)\n```\n[e](no.md)\n```\n';
    expect(relativeLinks(md)).toEqual([
      ['docs/x.md', undefined],
      ['', 'h'],
    ]);
    expect(slug('What `buildx bake --print` shows')).toBe('what-buildx-bake---print-shows');
    expect(slug("matrixbake's own messages")).toBe('matrixbakes-own-messages');
  });

  it('the README links every page of docs/', () => {
    const linked = relativeLinks(readFileSync('README.md', 'utf8')).map(([p]) => p);
    for (const doc of DOCS.filter((d) => d !== 'README.md')) expect(linked, doc).toContain(doc);
  });

  it('docs/format.md names every key a matrix accepts', () => {
    const format = readFileSync('docs/format.md', 'utf8');
    const code = [...format.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
    const missing = Object.entries(KNOWN_KEYS).flatMap(([table, keys]) =>
      keys.filter((k) => !code.some((c) => new RegExp(`(^|[^\\w])${k}([^\\w]|$)`).test(c))).map((k) => (table ? `${table}.${k}` : k)),
    );
    expect(missing).toEqual([]);
  });

  it("the README's example matrix compiles to the targets it names, and lints clean against docs/format.md's Dockerfile", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const matrix = /## Using it in your own repository\n[^]*?```toml\n([^]*?)```/.exec(readme)![1]!;
    const dockerfile = /```dockerfile\n([^]*?)```/.exec(readFileSync('docs/format.md', 'utf8'))![1]!;
    const repo = mkdtempSync(join(tmpdir(), 'mb-readme-'));
    mkdirSync(join(repo, '.git'));
    for (const dir of ['api', 'worker']) mkdirSync(join(repo, dir));
    writeFileSync(join(repo, 'matrix.toml'), matrix);
    writeFileSync(join(repo, 'Dockerfile'), dockerfile);
    const { plan } = await compileOk(join(repo, 'matrix.toml'));
    const nodes = plan.targets.filter((t) => t.arch === undefined).map((t) => t.name);
    expect(nodes).toEqual(['base-py312', 'base-py313', 'api-py312', 'api-py313', 'worker-py312', 'worker-py313']);
    for (const name of ['base-py312', 'api-py312', 'worker-py312']) expect(readme).toContain(`\`${name}\``);
    expect(plan.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['all', 'default', 'py312', 'api']));
    await expect(lintCommand({ matrix: join(repo, 'matrix.toml'), warn: () => {} })).resolves.toMatch(/1 Dockerfile agrees with 6 targets/);
  });
});

describe('the project refers to nothing outside it', () => {
  // Built from parts, so this file does not name what it looks for.
  const OUTSIDE = new RegExp(['DESIGN', '\\.md|\\.\\./(shared|seeds)\\b|/work/', 'shared'].join(''));
  // Git-ignored build output and scratch space, rebuilt from the sources checked here.
  const IGNORED = new Set(['node_modules', '.tmp', '.work', 'busybox', 'dist', '.git']);

  function files(path: string): string[] {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
      .filter((name) => !IGNORED.has(name))
      .flatMap((name) => files(join(path, name)));
  }

  it('no file under src, scripts, test, docs, bench, dockerfiles, matrix, nor the README, Makefile or CI names a file outside the repository', () => {
    const roots = ['src', 'scripts', 'test', 'docs', 'bench', 'dockerfiles', 'matrix', '.ci', '.github', 'README.md', 'Makefile', 'package.json'];
    const named = roots
      .filter((r) => existsSync(r))
      .flatMap(files)
      .filter((f) => OUTSIDE.test(readFileSync(f, 'latin1')));
    expect(named).toEqual([]);
  });
});
