#!/usr/bin/env node
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportFailure, UsageError } from './cli/exit.js';
import { commandHelp, flagsOf, globalHelp, isCommand, matrixbakeVersion, unknownCommand } from './cli/help.js';
import type { Phase } from './commands/release.js';
import { formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { CI_FORMATS, type CiFormat } from './emit/ci/ci-emitters.js';
import { FORMATS, type Format } from './emit/emitters.js';
import { GRAPH_FORMATS, type GraphFormat } from './emit/graph/graph-emitters.js';

// Thin: flags -> typed options -> one library call. Exit codes live in cli/exit.ts.
// Each command's module is imported when that command runs: importing them all (execa,
// dockerfile-ast, ...) cost `compile` and `--help` a few hundred milliseconds at every start.

const DEFAULT_MATRIX = 'matrix/dynamo.toml';
// `matrixbake ... | head`: the reader left, which is no failure of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(`${s}\n`);
const warn = (d: Diagnostic) => err(formatDiagnostic(d));

async function main(argv: string[]): Promise<number> {
  const dashdash = argv.indexOf('--');
  const extra = dashdash === -1 ? [] : argv.slice(dashdash + 1);
  // `--version` alone prints ours; `release --version V` names the release.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) return out(`${matrixbakeVersion()}\n`), 0;
  const { values, positionals } = parse(dashdash === -1 ? argv : argv.slice(0, dashdash));
  const [command, ...rest] = positionals;
  if (command === 'help') {
    if (rest.length > 1) throw new UsageError(`unexpected argument "${rest[1]}"`);
    return out(rest[0] === undefined || rest[0] === 'help' ? globalHelp() : commandHelp(rest[0])), 0;
  }
  if (command === undefined) return out(globalHelp()), 0;
  if (values.help) return out(commandHelp(command)), 0;
  if (!isCommand(command)) throw unknownCommand(command);
  // parseArgs knows every command's flags at once; a flag this command does not read would be ignored.
  const takes = flagsOf(command);
  const stray = Object.keys(values).find((k) => k !== 'help' && !takes.includes(k));
  if (stray) throw new UsageError(`${command} does not take --${stray}${takes.length > 0 ? ` (it takes ${takes.map((f) => `--${f}`).join(', ')})` : ''}`, command);
  try {
    return await run(command, values, rest, extra);
  } catch (e) {
    // A usage error inside a command points to that command's help.
    throw e instanceof UsageError && e.command === undefined ? new UsageError(e.message, command) : e;
  }
}

async function run(command: string, values: ReturnType<typeof parse>['values'], rest: string[], extra: string[]): Promise<number> {
  // For the commands that also take targets (bake, release, promote, explain), a first positional that is
  // not a .toml file is a target; for the others it is the matrix whatever its name, so a
  // directory or a misspelt path gets a message about the file, not "unexpected argument".
  const takesTargets = ['bake', 'release', 'promote', 'explain'].includes(command);
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
      const { compileCommand } = await import('./commands/compile.js');
      out(await compileCommand({ matrix, format, check: !!values.check, warn, ...(values.output && values.output !== '-' ? { out: values.output } : {}) }));
      return 0;
    }
    case 'list':
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      out(await (await import('./commands/list.js')).listCommand({ matrix, json: !!values.json, twins: !!values.twins, warn }));
      return 0;
    case 'lint':
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      out(await (await import('./commands/lint.js')).lintCommand({ matrix, warn }));
      return 0;
    case 'ci': {
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      const format = (values.format ?? 'github') as CiFormat;
      if (!CI_FORMATS.includes(format)) throw new UsageError(`unknown ci --format "${values.format}" (use ${CI_FORMATS.join(', ')})`);
      out(await (await import('./commands/ci.js')).ciCommand({ matrix, format, levels: !!values.levels, warn, ...(values.group === undefined ? {} : { group: values.group }) }));
      return 0;
    }
    case 'graph': {
      if (values.readme !== undefined) {
        // The matrices are the blocks' own: a MATRIX, --format or -o would be ignored, so they are refused.
        if (rest.length > 0 || values.output || values.group || (values.format ?? 'mermaid') !== 'mermaid') throw new UsageError('graph --readme FILE takes each matrix from its block\'s marker and draws mermaid: no MATRIX, --format, --group or -o');
        out(await (await import('./commands/graph.js')).readmeGraphCommand({ readme: values.readme, check: !!values.check, warn }));
        return 0;
      }
      if (others.length > 0) throw new UsageError(`unexpected argument "${others[0]}"`);
      if (values.check) throw new UsageError('--check goes with --readme FILE');
      const format = (values.format ?? 'mermaid') as GraphFormat;
      if (!GRAPH_FORMATS.includes(format)) throw new UsageError(`unknown graph --format "${values.format}" (use ${GRAPH_FORMATS.join(', ')})`);
      const { graphCommand } = await import('./commands/graph.js');
      out(await graphCommand({ matrix, format, warn, ...(values.group === undefined ? {} : { group: values.group }), ...(values.output && values.output !== '-' ? { out: values.output } : {}) }));
      return 0;
    }
    case 'explain': {
      // `explain TARGET [MATRIX]`, or `explain MATRIX TARGET` (a first argument ending in .toml is the matrix).
      const [target, second, ...more] = others;
      if (target === undefined) throw new UsageError('explain needs a TARGET, e.g. matrixbake explain runtime-vllm-cuda12');
      const unexpected = matrixFirst ? second : more[0];
      if (unexpected !== undefined) throw new UsageError(`unexpected argument "${unexpected}"`);
      const { explainCommand } = await import('./commands/explain.js');
      out(await explainCommand({ matrix: matrixFirst ? matrix : (second ?? DEFAULT_MATRIX), target, json: !!values.json, warn }));
      return 0;
    }
    case 'check':
      out(await (await import('./commands/check.js')).checkCommand({ matrix, targets: others, offline: !!values.offline, warn }));
      return 0;
    case 'bake':
      await (await import('./commands/bake.js')).bakeCommand({ matrix, targets: others, dryRun: !!values['dry-run'], push: !!values.push, levels: !!values.levels, oneBake: !!values['one-bake'], json: !!values.json, set: values.set ?? [], vars: keyValues(values.var ?? []), extra, warn, print: (l) => out(`${l}\n`), note: err });
      return 0;
    case 'release': {
      if (others.length > 1) throw new UsageError(`unexpected argument "${others[1]}"`);
      const phase = (values.phase ?? 'all') as Phase;
      if (!['all', 'build', 'merge'].includes(phase)) throw new UsageError(`unknown --phase "${values.phase}" (use all, build, merge)`);
      const { releaseCommand } = await import('./commands/release.js');
      await releaseCommand({ matrix, group: others[0] ?? 'default', phase, only: !!values.only, dryRun: !!values['dry-run'], vars: keyValues(values.var ?? []), extra, warn, print: (l) => out(`${l}\n`), ...defined({ registry: values.registry, version: values.version, arch: values.arch, digests: values.digests, sbomGenerator: values['sbom-generator'] }) });
      return 0;
    }
    case 'schema': {
      // The matrix file's JSON Schema (matrix/matrix.schema.json is this output, kept current by a test).
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      const { matrixJsonSchema } = await import('./schema/json-schema.js');
      out(`${JSON.stringify(matrixJsonSchema(), null, 2)}\n`);
      return 0;
    }
    case 'version': {
      // The release version of the checkout (what `release` uses when --version is not given).
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      const { gitFacts, versionFrom } = await import('./release/version.js');
      const facts = await gitFacts(process.cwd());
      if (!facts) throw new UsageError('not in a git repository: the version comes from its tags and commit');
      out(`${versionFrom(facts)}\n`);
      return 0;
    }
    case 'promote': {
      if (others.length > 1) throw new UsageError(`unexpected argument "${others[1]}"`);
      if (!values.from) throw new UsageError('promote needs --from STAGING_REGISTRY (where `release` pushed)');
      const { promoteCommand } = await import('./commands/promote.js');
      await promoteCommand({ matrix, group: others[0] ?? 'default', from: values.from, dryRun: !!values['dry-run'], warn, print: (l) => out(`${l}\n`), ...defined({ registry: values.registry, version: values.version }) });
      return 0;
    }
    default:
      throw unknownCommand(command);
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
        readme: { type: 'string' },
        levels: { type: 'boolean' },
        'one-bake': { type: 'boolean' },
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
        offline: { type: 'boolean' },
        'sbom-generator': { type: 'string' },
      },
    });
  } catch (e) {
    const first = argv.find((a) => !a.startsWith('-'));
    throw new UsageError((e as Error).message, first !== undefined && isCommand(first) ? first : undefined);
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
