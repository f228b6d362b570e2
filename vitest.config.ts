import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no buildkitd and no registry (the corpus and the property tests are
// in it; some read real buildx's `--print`, which needs no daemon), `e2e` builds on real BuildKit.
// `npm test` runs unit, quickly; `make test` runs both, as CI does.
const shared = {
  globalSetup: ['test/support/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // A golden file that is missing fails, locally as in CI; `vitest run -u` writes them. (Moved
    // test files once wrote new goldens next to themselves and passed.)
    update: 'none',
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts', 'test/corpus/**/*.test.ts', 'test/property/**/*.test.ts'] } },
      { test: { ...shared, name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
