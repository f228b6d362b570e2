import { runs } from '../support/depth.js';
import { posix } from 'node:path';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBake } from '../../src/bake/resolve.js';
import { compileLoaded, emit, type Compiled } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { foldSpaces, hclTarget, hclVariables, resolvedTarget } from '../support/bake-views.js';
import { BUILDX, bakePrint } from '../support/buildx.js';
import { writeTemp } from '../support/compile.js';
import { buildNativeHcl, NativeHcl } from '../support/hcl-native.js';
import { parseHcl, type HclDoc } from '../support/hcl.js';
import type { Generated } from '../support/assemble-matrix.js';
import { matrixArbitrary } from '../support/matrix-arbitrary.js';
import { argConflicts, expectedTargets } from '../support/matrix-oracle.js';
import { normalisePrint, normaliseTargets, reachable } from '../support/normalise-print.js';

// Whole matrices, generated: random axes, stages linked in a DAG over subsets of the axes,
// excludes, arches, publish flags, caches, sccache, and tricky strings wherever a user may write
// one. Each compiles; its HCL read back by HCL's own parser (hcl2json, as in hcl2-parser) and its
// JSON by JSON.parse hold exactly the planned targets, groups and variables; the plan is what
// docs/format.md's rules predict (matrix-oracle.ts); and a fixed sample goes through real
// `buildx bake --print`. hcl2-parser itself is too slow for 10,000 files (hcl-native.ts): it
// reads a fixed sample, and must read it exactly as the native build does.

const RUNS = runs(10_000);
const HCL2_PARSER_RUNS = runs(100);
const BUILDX_RUNS = runs(20);
const counts = { matrices: 0, conflicts: 0, targets: 0, hclBytes: 0, hcl2Parser: 0, buildx: 0 };

const NATIVE_HCL = buildNativeHcl();
let native: NativeHcl | undefined;
beforeAll(() => {
  if (NATIVE_HCL) native = new NativeHcl(NATIVE_HCL);
});

function compile(raw: Record<string, unknown>): Compiled {
  const r = compileLoaded({ file: 'generated.toml', text: '', raw });
  if (!r.ok) throw new Error(`a valid matrix was refused:\n${r.errors.map(formatDiagnostic).join('\n')}\n${JSON.stringify(raw)}`);
  return r.value;
}

/** isDeepStrictEqual first: a vitest `expect` costs more than compiling, and a run makes 100,000 comparisons. */
function same(actual: unknown, expected: unknown, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, message).toEqual(expected);
}

const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
const PLAN_FACTS = ['name', 'node', 'platforms', 'args', 'variableArgs', 'dockerfile', 'dockerTarget', 'description', 'tagSuffix'];
const groupsOf = (c: Compiled) => Object.fromEntries(c.plan.groups.map((grp) => [grp.name, { targets: grp.targets }]));

function checkPlan(g: Generated, c: Compiled): void {
  const planned = c.plan.targets.map((t) => ({
    ...pick(t as unknown as Record<string, unknown>, PLAN_FACTS),
    args: Object.fromEntries(t.args.map((a) => [a.name, a.value])),
    contexts: Object.fromEntries(t.links.map((l) => [l.context, l.target])),
  }));
  same(
    planned,
    expectedTargets(g.spec).map((t) => pick(t as unknown as Record<string, unknown>, [...PLAN_FACTS, 'contexts'])),
  );
}

function checkResolved(g: Generated, c: Compiled): void {
  const resolved = resolveBake(c.bake);
  same(resolved.group, groupsOf(c));
  same(resolved.target, Object.fromEntries(c.plan.targets.map((t) => [t.name, resolvedTarget(g.spec, t, c.plan.targets)])));
}

function checkHcl(g: Generated, c: Compiled, doc: HclDoc): void {
  same(Object.keys(doc).sort(), ['group', 'target', 'variable']);
  same(doc.variable, hclVariables(g.spec));
  same(doc.group, Object.fromEntries(c.plan.groups.map((grp) => [grp.name, [{ targets: grp.targets }]])));
  same(Object.keys(doc.target!).sort(), c.plan.targets.map((t) => t.name).sort());
  for (const t of c.plan.targets) {
    const blocks = doc.target![t.name]!;
    same(blocks.length, 1, t.name);
    same(Object.fromEntries(Object.entries(blocks[0]!).map(([k, v]) => [k, foldSpaces(v)])), hclTarget(g.spec, t, c.plan.targets), t.name);
  }
}

// A JSON bake file is read as HCL templates: a literal is written with `${` and `%{` doubled, or,
// holding a carriage return, as an interpolation of a quoted string (emit-json.ts).
const unescapeHcl = (s: string) => s.replaceAll('$${', () => '${').replaceAll('%%{', () => '%{');
function literalAs(json: unknown, want: string, what: string): void {
  if (!want.includes('\r')) same(unescapeHcl(json as string), want, what);
}

/** JSON: the same blocks and attributes as the HCL, and every literal reads back as written. */
function checkJson(g: Generated, c: Compiled, json: string): void {
  const doc = JSON.parse(json) as { variable: object; group: object; target: Record<string, Record<string, Record<string, string> & string>> };
  same(Object.keys(doc), ['variable', 'group', 'target']);
  same(Object.keys(doc.variable).sort(), Object.keys(hclVariables(g.spec)).sort());
  same(doc.group, groupsOf(c));
  same(
    Object.keys(doc.target),
    c.plan.targets.map((t) => t.name),
  );
  for (const t of c.plan.targets) {
    const j = doc.target[t.name]!;
    same(Object.keys(j).sort(), Object.keys(hclTarget(g.spec, t, c.plan.targets)).sort(), t.name);
    literalAs(j.description, t.description, `${t.name}.description`);
    literalAs(j.context, t.context, `${t.name}.context`);
    literalAs(j.dockerfile, posix.relative(`/${t.context}`, `/${t.dockerfile}`), `${t.name}.dockerfile`);
    literalAs(j.target, t.dockerTarget, `${t.name}.target`);
    for (const a of t.args) literalAs(j.args![a.name], a.value, `${t.name}.args.${a.name}`);
    literalAs(j.labels!['org.opencontainers.image.description'], t.description, `${t.name}.labels`);
    if (g.spec.source) literalAs(j.labels!['org.opencontainers.image.source'], g.spec.source, `${t.name}.labels`);
  }
}

describe('generated matrices', () => {
  afterAll(() => {
    native?.close();
    // The count is the point: CI logs show how many matrices each run judged.
    console.log(
      `generated matrices: ${counts.matrices} compiled (and ${counts.conflicts} refused for an arg two axis values disagree on), each read back by HCL's parser (${counts.targets} targets, ${(counts.hclBytes / 1e6).toFixed(1)} MB of HCL); ${counts.hcl2Parser} also by hcl2-parser; ${counts.buildx} through real buildx bake --print`,
    );
  });

  it.skipIf(!NATIVE_HCL)(
    `${RUNS} compile, and read back by HCL's parser and JSON.parse hold exactly the plan`,
    async () => {
      await fc.assert(
        fc.asyncProperty(matrixArbitrary, async (g) => {
          const conflicts = argConflicts(g.spec);
          if (conflicts.length > 0) {
            // Refused, naming an arg two axis values disagree on: the order of [matrix] decides nothing.
            const r = compileLoaded({ file: 'generated.toml', text: '', raw: g.raw });
            same(r.ok, false, `two axis values set one arg differently, and it compiled: ${JSON.stringify(conflicts)}`);
            if (!r.ok && !r.errors.some((e) => conflicts.some((x) => e.message.startsWith(`arg ${JSON.stringify(x.arg)} of stage ${x.stage} `))))
              expect(r.errors.map(formatDiagnostic)).toContain(`an error about arg ${conflicts[0]!.arg}`);
            counts.conflicts += 1;
            return;
          }
          const c = compile(g.raw);
          const hcl = emit(c, 'hcl');
          // HCL's parser works in its own process meanwhile: the checks before the await need no HCL.
          const reading = native!.parse(hcl);
          reading.catch(() => undefined);
          checkPlan(g, c);
          checkResolved(g, c);
          checkJson(g, c, emit(c, 'json'));
          const doc = await reading;
          if (counts.hcl2Parser < HCL2_PARSER_RUNS) {
            same(parseHcl(hcl), doc, 'hcl2-parser and its native build disagree');
            counts.hcl2Parser += 1;
          }
          checkHcl(g, c, doc);
          counts.matrices += 1;
          counts.targets += c.plan.targets.length;
          counts.hclBytes += hcl.length;
        }),
        { numRuns: RUNS },
      );
      expect(counts.matrices + counts.conflicts).toBeGreaterThanOrEqual(RUNS);
      expect(counts.hcl2Parser).toBe(HCL2_PARSER_RUNS);
    },
    600_000,
  );

  const SETTINGS: Record<string, string>[] = [
    {},
    { PUSH_CACHE: 'true', BRANCH: 'feature/x', VERSION: 'v1.2.3', REGISTRY: 'localhost:5000/r', GIT_SHA: 'abc123' },
    { USE_SCCACHE: 'true', CACHE_REGISTRY: 'localhost:5000/cache', USER_UID: '1234' },
  ];

  it.skipIf(!BUILDX)(
    `${BUILDX_RUNS} of them: real buildx bake --print of the HCL and the JSON shows what the compiler resolved`,
    () => {
      let run = 0;
      fc.assert(
        fc.property(
          matrixArbitrary.filter((g) => argConflicts(g.spec).length === 0),
          (g) => {
            const c = compile(g.raw);
            const settings = SETTINGS[run++ % SETTINGS.length]!;
            // --print lists what the names given reach: group all has every node, the arch groups every twin.
            const names = ['all', ...(g.spec.arch ?? []).filter((a) => c.plan.groups.some((grp) => grp.name === a))];
            for (const format of ['hcl', 'json'] as const) {
              const file = writeTemp(`docker-bake.${format}`, emit(c, format));
              // Bake takes a declared variable from the environment before its default (TERM, LANG, CI
              // may be generated names); oidc reads its token from a file, any readable one for --print.
              const fromEnv = c.bake.variables.flatMap((v) => (process.env[v.name] === undefined ? [] : [[v.name, process.env[v.name]!]]));
              const vars = { ...Object.fromEntries(fromEnv), AWS_WEB_IDENTITY_TOKEN_FILE: file, ...settings };
              const want = normaliseTargets(reachable(resolveBake(c.bake, vars), names), false);
              expect(normalisePrint(bakePrint(file, names, vars)), `${format} with ${JSON.stringify(settings)}`).toEqual(want);
            }
            counts.buildx += 1;
          },
        ),
        { numRuns: BUILDX_RUNS },
      );
      expect(counts.buildx).toBeGreaterThanOrEqual(BUILDX_RUNS);
    },
    600_000,
  );
});

// What the generated matrices found, pinned.
describe('found by generated matrices', () => {
  it('a per-arch twin keeps the whole description: parentheses in it are not the platform list', () => {
    const c = compile({ project: { image: 'img' }, matrix: { cuda: ['12'], arch: ['amd64'] }, stage: { base: { dockerfile: 'Dockerfile', axes: ['cuda'] } } });
    expect(c.plan.targets.map((t) => t.description)).toEqual([
      'img base stage (base) for cuda=12 (linux/amd64)',
      'img base stage (base) for cuda=12 (linux/amd64 only: per-arch twin of base-12)',
    ]);
  });

  it('an axis value with a line break stays inside the comment above its group', () => {
    const c = compile({
      project: { image: 'img' },
      matrix: { a: ['w\nx = 1'] },
      axis: { a: { values: { 'w\nx = 1': { label: 'l' } } } },
      stage: { s: { dockerfile: 'Dockerfile', axes: ['a'] } },
    });
    const hcl = emit(c, 'hcl');
    expect(hcl).toContain('# every image with a=w\n# x = 1\ngroup "l" {');
    expect(Object.keys(parseHcl(hcl)).sort()).toEqual(['group', 'target', 'variable']);
  });
});
