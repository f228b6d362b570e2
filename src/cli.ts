#!/usr/bin/env node
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportFailure, UsageError } from './cli/exit.js';
import { HELP, VERSION } from './cli/help.js';
import { bakeCommand } from './commands/bake.js';
import { ciCommand } from './commands/ci.js';
import { compileCommand } from './commands/compile.js';
import { lintCommand } from './commands/lint.js';
import { gitFacts, versionFrom } from './release/version.js';
import { promoteCommand, releaseCommand, type Phase } from './commands/release.js';
import { listCommand } from './commands/list.js';
import { formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { CI_FORMATS, type CiFormat } from './emit/ci/ci-emitters.js';
import { FORMATS, type Format } from './emit/emitters.js';

// Thin: flags -> typed options -> one library call. Exit codes live in cli/exit.ts.

const DEFAULT_MATRIX = 'matrix/dynamo.toml';
const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(`${s}\n`);
const warn = (d: Diagnostic) => err(formatDiagnostic(d));

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const extra = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  // `--version` alone prints ours; `release --version V` names the release.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return out(`${VERSION}\n`), 0;
  const { values, positionals } = parse(dashdash === -1 ? argv : argv.slice(0, dashdash));
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') return out(HELP), 0;
  // For the commands that also take targets (bake, release, promote), a first positional that is
  // not a .toml file is a target; for the others it is the matrix whatever its name, so a
  // directory or a misspelt path gets a message about the file, not "unexpected argument".
  const takesTargets = ['bake', 'release', 'promote'].includes(command);
  const matrixFirst = rest[0] !== undefined && (!takesTargets || rest[0].endsWith('.toml'));
  const matrix = matrixFirst ? rest[0]! : DEFAULT_MATRIX;
  const others = matrixFirst ? rest.slice(1) : rest;
  switch (command) {
    case 'compile': {
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      const format = (values.format ?? 'hcl') as Format;
      if (!FORMATS.includes(format)) throw new UsageError(`unknown --format "${values.format}" (use ${FORMATS.join(', ')})`);
      if (values.check && !values.output) throw new UsageError('--check needs -o FILE: the file to check');
      if (values.output && !values.check && sameFile(values.output, matrix)) throw new UsageError(`-o ${values.output} is the matrix itself: compiling would overwrite it with the bake file`);
      out(await compileCommand({ matrix, format, check: !!values.check, warn, ...(values.output && values.output !== '-' ? { out: values.output } : {}) }));
      return 0;
    }
    case 'list':
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      out(await listCommand({ matrix, json: !!values.json, twins: !!values.twins, warn }));
      return 0;
    case 'lint':
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      out(await lintCommand({ matrix, warn }));
      return 0;
    case 'ci': {
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      const format = (values.format ?? 'github') as CiFormat;
      if (!CI_FORMATS.includes(format)) throw new UsageError(`unknown ci --format "${values.format}" (use ${CI_FORMATS.join(', ')})`);
      out(await ciCommand({ matrix, format, levels: !!values.levels, warn, ...(values.group === undefined ? {} : { group: values.group }) }));
      return 0;
    }
    case 'bake':
      await bakeCommand({ matrix, targets: others, dryRun: !!values['dry-run'], push: !!values.push, levels: !!values.levels, set: values.set ?? [], vars: keyValues(values.var ?? []), extra, warn, print: (l) => out(`${l}\n`) });
      return 0;
    case 'release': {
      if (others.length > 1) throw new UsageError(`unexpected argument "${others[1]}"`);
      const phase = (values.phase ?? 'all') as Phase;
      if (!['all', 'build', 'merge'].includes(phase)) throw new UsageError(`unknown --phase "${values.phase}" (use all, build, merge)`);
      await releaseCommand({ matrix, group: others[0] ?? 'default', phase, only: !!values.only, dryRun: !!values['dry-run'], vars: keyValues(values.var ?? []), extra, warn, print: (l) => out(`${l}\n`), ...defined({ registry: values.registry, version: values.version, arch: values.arch, digests: values.digests }) });
      return 0;
    }
    case 'version': {
      // The release version of the checkout (what `release` uses when --version is not given).
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      const facts = await gitFacts(process.cwd());
      if (!facts) throw new UsageError('not in a git repository: the version comes from its tags and commit');
      out(`${versionFrom(facts)}\n`);
      return 0;
    }
    case 'promote': {
      if (others.length > 1) throw new UsageError(`unexpected argument "${others[1]}"`);
      if (!values.from) throw new UsageError('promote needs --from STAGING_REGISTRY (where `release` pushed)');
      await promoteCommand({ matrix, group: others[0] ?? 'default', from: values.from, dryRun: !!values['dry-run'], warn, print: (l) => out(`${l}\n`), ...defined({ registry: values.registry, version: values.version }) });
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        format: { type: 'string', short: 'f' },
        check: { type: 'boolean' },
        json: { type: 'boolean' },
        twins: { type: 'boolean' },
        group: { type: 'string' },
        levels: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        push: { type: 'boolean' },
        set: { type: 'string', multiple: true },
        var: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'string' },
        registry: { type: 'string' },
        arch: { type: 'string' },
        phase: { type: 'string' },
        digests: { type: 'string' },
        from: { type: 'string' },
        only: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Drops the options that were not given (exactOptionalPropertyTypes). */
function defined<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: string };
}

function keyValues(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new UsageError(`--var needs NAME=VALUE, got "${p}"`);
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => (process.exitCode = reportFailure(e, err)),
);
