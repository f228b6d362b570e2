import fc from 'fast-check';
import { runs } from '../support/depth.js';
import { describe, expect, it } from 'vitest';
import { resolveBake } from '../../src/bake/resolve.js';
import { compileLoaded, emit } from '../../src/compile.js';
import { formatDiagnostic } from '../../src/diagnostics.js';
import { BUILDX, bakePrint } from '../support/buildx.js';
import { writeTemp } from '../support/compile.js';
import { TRICKY } from '../support/matrix-arbitrary.js';
import { parseHcl } from '../support/hcl.js';
import { normalisePrint } from '../support/normalise-print.js';

// Any string a user writes in an arg, a description or a source URL comes back byte-exact, and
// can never add a target, a group or an attribute.

const tricky = fc.constantFrom(...TRICKY);
// NUL is refused by BuildKit and non-NFC text is refused by the compiler (bad-input tests).
const userString = fc
  .array(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 8 })
  .map((a) => a.join('').replaceAll('\0', ''))
  .filter((s) => s === s.normalize('NFC'));

function compileWith(value: string, description: string) {
  const raw = {
    project: { image: 'img', registry: 'r.example/ns', source: value, description, args: { A: value } },
    matrix: { fw: ['x', 'y'], arch: ['amd64', 'arm64'] },
    axis: { fw: { values: { x: { args: { B: value } } } } },
    stage: {
      base: { dockerfile: 'Dockerfile', description },
      app: { dockerfile: 'Dockerfile', axes: ['fw'], uses: { base: 'base' }, publish: true, args: { C: `${value}$` } },
    },
    cache: { registry: 'localhost:5000/c' },
  };
  const r = compileLoaded({ file: 'prop.toml', text: '', raw });
  if (!r.ok) throw new Error(r.errors.map(formatDiagnostic).join('\n'));
  return r.value;
}

describe('escaping', () => {
  it('round-trips every string through HCL and adds nothing', () => {
    fc.assert(
      fc.property(userString, userString, (value, description) => {
        const compiled = compileWith(value, description);
        const doc = parseHcl(emit(compiled, 'hcl'));
        expect(Object.keys(doc.target!).sort()).toEqual(compiled.plan.targets.map((t) => t.name).sort());
        expect(Object.keys(doc.group!).sort()).toEqual(compiled.plan.groups.map((g) => g.name).sort());
        const app = doc.target!['app-x']![0]!;
        expect(Object.keys(app).sort()).toEqual(
          compiled.bake.targets
            .find((t) => t.name === 'app-x')!
            .attributes.map(([k]) => k)
            .sort(),
        );
        expect(app.args).toEqual({ A: value, B: value, C: `${value}$` });
        expect(app.description).toBe(compiled.plan.targets.find((t) => t.name === 'app-x')!.description);
        // An empty source is no source: the label is left out.
        expect((app.labels as Record<string, string>)['org.opencontainers.image.source']).toBe(value === '' ? undefined : value);
      }),
      { numRuns: runs(300) },
    );
  });

  it.skipIf(!BUILDX)('round-trips through real buildx bake --print, HCL and JSON alike', () => {
    fc.assert(
      fc.property(userString, userString, (value, description) => {
        const compiled = compileWith(value, description);
        const want = resolveBake(compiled.bake).target['app-x']!;
        for (const format of ['hcl', 'json'] as const) {
          const printed = normalisePrint(bakePrint(writeTemp(`b.${format}`, emit(compiled, format)), ['app-x']));
          expect(printed['app-x']!.args, format).toEqual(want.args);
          expect(printed['app-x']!.labels, format).toEqual(want.labels);
          expect(printed['app-x']!.description, format).toBe(want.description);
        }
      }),
      // A raw carriage return once made buildx's JSON reader skip the `$${` escape.
      { numRuns: runs(25), examples: [['\r$${', '']] },
    );
  });
});
