/**
 * How hard the slow unit tests try. `npm test` is the quick pass a developer runs between edits
 * (MATRIXBAKE_TESTS=quick): a tenth of the generated cases, and buildx `--print` of each variable
 * setting in one format instead of both. `make test`, as CI runs it, tries them all.
 */
export const QUICK = process.env.MATRIXBAKE_TESTS === 'quick';

/** `full` runs, or a tenth of them (at least `min`) in the quick pass. */
export const runs = (full: number, min = 5): number => (QUICK ? Math.max(min, Math.round(full / 10)) : full);
