import fc from 'fast-check';
import { credentialKind, isCredentialName } from '../../src/validate/rules/credentials.js';
import { assembleMatrix, type Generated } from './assemble-matrix.js';

// Whole valid matrices, as loadMatrix hands them to the compiler (the parsed TOML tree), with
// the generator's own reading of them (`spec`, for the oracle). What is drawn here is a record of
// choices; assemble-matrix.ts makes them a valid matrix. Everything a user may write freely is
// built from tricky strings. Small on purpose: 10,000 matrices a run are paid for in bytes of HCL.

/** An optional key: absent (undefined, as in the parsed TOML) `absent` times to `present` times. */
const maybe = <T>(a: fc.Arbitrary<T>, absent = 1, present = 1) =>
  fc.oneof({ weight: absent, arbitrary: fc.constant(undefined) }, { weight: present, arbitrary: a });

/** Text that breaks a careless printer: HCL's template openers, escapes, controls, line separators, non-ASCII. */
export const TRICKY = [
  '${',
  '%{',
  '$${',
  '%%{',
  '$',
  '%',
  '{',
  '}',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0001',
  '\u007f',
  '\u2028',
  'é',
  '日本',
  '🚀',
  '~}',
  '=',
  ',',
  '#',
  '//',
  '/*',
  '<<EOF',
];

/** Text a user may write in an arg, a description, a reason: NFC and no NUL (both refused by the loader). */
const userString = fc
  .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', maxLength: 3 })), { maxLength: 3 })
  .map((a) => a.join('').replaceAll('\0', ''))
  .filter((s) => s === s.normalize('NFC') && credentialKind(s) === undefined);
/**
 * A user string made into another: a letter before it, or a "/" taken out of it, may compose
 * with a mark (w + U+0307 is U+1E87), and the result is no longer NFC.
 */
const made = (f: (s: string) => string) => userString.map(f).filter((s) => s === s.normalize('NFC'));

/** A path inside the repository with tricky characters in its last part (no "/" or "\\" there). */
const path = (dir: string, file: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(file, `${dir}/${file}`) },
    made((s) => `${dir}/${s.replaceAll(/[/\\]/g, '')}${file}`),
  );

/** A named context: what a Dockerfile can read in FROM or COPY --from. */
const contextName = fc.stringMatching(/^[a-z0-9]{1,3}(?:[._/:@-]{1,2}[a-z0-9]{1,3}){0,2}$/);
const argName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,4}$/).filter((n) => !isCredentialName(n));
const argValue = fc.oneof({ weight: 4, arbitrary: userString }, fc.integer({ min: -99, max: 99 }));
const args = fc.array(fc.tuple(argName, argValue), { maxLength: 2 });
/** A bake name part (no "-", so joined names cannot collide). */
const namePart = fc.stringMatching(/^[A-Za-z0-9_]{1,4}$/);

const valueGen = fc.record({
  tame: fc.stringMatching(/^[a-z0-9.]{1,3}$/),
  int: fc.nat(99),
  /** A value only a label of its own can name (spaces at its ends, quotes, newlines...). */
  tricky: maybe(
    made((s) => `w${s}`),
    2,
  ),
  label: maybe(namePart, 2),
  args,
  dockerfile: path('docker', 'Dockerfile.v'),
});

const axisGen = fc.record({
  name: fc.oneof(fc.constant('framework'), fc.stringMatching(/^[a-z][a-z0-9_]{0,4}$/)),
  template: fc.constantFrom('{value}', 'v{value}', '{value}x'),
  ints: fc.boolean(),
  values: fc.array(valueGen, { minLength: 1, maxLength: 3 }),
  /** Every value names a Dockerfile, for stages that name none. */
  dockerfiles: fc.boolean(),
});

const stageGen = fc.record({
  // Used as the Dockerfile target when there is none: BuildKit's stage names start with a letter.
  name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,4}$/),
  axes: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
  uses: fc.array(fc.record({ on: fc.boolean(), context: contextName, asTarget: fc.boolean() }), { minLength: 3, maxLength: 3 }),
  /** A Dockerfile stage name: a letter, then letters, digits, "-", "_" and "." (anything else is refused). */
  target: maybe(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,6}$/)),
  dockerfile: maybe(path('docker', 'Dockerfile'), 1, 3),
  publish: fc.boolean(),
  args,
  variables: fc.array(fc.nat(7), { maxLength: 2 }),
  sccache: maybe(fc.boolean()),
  description: maybe(userString),
});

const excludeGen = fc.record({
  picks: fc.array(fc.record({ axis: fc.nat(3), values: fc.array(fc.nat(2), { minLength: 1, maxLength: 2 }), list: fc.boolean() }), {
    minLength: 1,
    maxLength: 2,
  }),
  reason: made((s) => `r${s}`),
});

const specGen = fc.record({
  // No registry host in it: with project.registry set, `a.b/c` would be refused as a doubled registry.
  image: fc.constantFrom('img', 'ns/img', 'ab/c-d.e', 'x_1'),
  registry: fc.constantFrom(undefined, '', 'r.example/ns', 'localhost:5000/r'),
  context: maybe(path('ctx', 'dir')),
  source: maybe(userString),
  projectArgs: args,
  axes: fc.array(axisGen, { maxLength: 3 }),
  arch: fc.constantFrom<(string[] | undefined)[]>(undefined, ['amd64'], ['arm64'], ['amd64', 'arm64'], ['arm64', 'amd64']),
  archAt: fc.nat(3),
  excludes: fc.array(excludeGen, { maxLength: 2 }),
  stages: fc.array(stageGen, { minLength: 1, maxLength: 4 }),
  variables: fc.array(fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,4}$/), userString), { maxLength: 2 }),
  // Cache refs and sccache args are the longest lines of a target: each in some of the matrices.
  cache: maybe(
    fc.record({
      registry: fc.constantFrom('localhost:5000/cache', 'ghcr.io/o/c'),
      fallback: maybe(
        fc.uniqueArray(
          made((s) => `b${s.replaceAll(':', '')}`),
          { maxLength: 2 },
        ),
      ),
    }),
    2,
  ),
  sccache: maybe(
    fc.record({
      bucket: made((s) => `b${s.replaceAll('/', '')}`),
      region: made((s) => `r${s}`),
      auth: fc.constantFrom(undefined, 'static', 'oidc', 'none'),
      keyPrefix: maybe(fc.stringMatching(/^[a-z0-9/_-]{1,6}$/)),
    }),
    3,
  ),
});

/** One draw: the choices a matrix is assembled from. */
export type Drawn = typeof specGen extends fc.Arbitrary<infer T> ? T : never;

export const matrixArbitrary: fc.Arbitrary<Generated> = specGen.map(assembleMatrix);
