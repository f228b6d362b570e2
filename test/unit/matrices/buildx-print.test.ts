import { describe, expect, it } from 'vitest';
import { resolveBake } from '../../../src/bake/resolve.js';
import { BUILDX, bakePrint } from '../../support/buildx.js';
import { compileOk, emit, writeTemp } from '../../support/compile.js';
import { normalisePrint, normaliseTargets, reachable } from '../../support/normalise-print.js';
import { MATRICES } from '../../support/matrices.js';
import { QUICK } from '../../support/depth.js';

// The meaning of what we emit, judged by real buildx: `bake --print` must succeed and show
// exactly what the compiler's own resolved JSON says, for HCL and JSON alike, with the
// variables at their defaults and toggled.

const SETTINGS: Record<string, string>[] = [
  {},
  { PUSH_CACHE: 'true', BRANCH: 'feature/x', VERSION: 'v1.2.3', REGISTRY: 'localhost:5000/r', GIT_SHA: 'abc123' },
  { USE_SCCACHE: 'true', CACHE_REGISTRY: 'localhost:5000/cache', USER_UID: '1234' },
];

describe.skipIf(!BUILDX).each(MATRICES)('buildx bake --print on %s', (matrix) => {
  it.each(['hcl', 'json'] as const)('%s: every group and variable setting prints what the compiler resolved', async (format) => {
    const compiled = await compileOk(matrix);
    const file = writeTemp(`docker-bake.${format}`, emit(compiled, format));
    // oidc reads its token from a file when USE_SCCACHE is on; any readable file will do for --print.
    const base = { AWS_WEB_IDENTITY_TOKEN_FILE: file };
    const groups = compiled.plan.groups.map((g) => g.name);
    // The quick pass (npm test) splits the settings between the two formats; CI runs each with all.
    for (const settings of QUICK ? SETTINGS.filter((_, i) => i % 2 === (format === 'hcl' ? 0 : 1)) : SETTINGS) {
      // Bake takes any declared variable from the environment: the resolver is given the same.
      const vars = { ...base, ...settings };
      const resolved = resolveBake(compiled.bake, vars);
      for (const names of [['all'], groups.filter((g) => g !== 'all' && g !== 'default').slice(-3)]) {
        const printed = bakePrint(file, names, vars);
        expect(normalisePrint(printed), `${names.join(' ')} with ${JSON.stringify(settings)}`).toEqual(normaliseTargets(reachable(resolved, names), false));
      }
    }
  });
});
