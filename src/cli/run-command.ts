import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.js';
import { UsageError } from '../errors.js';
import type { Parsed } from './commands.js';

// Typed options -> one call to the command's module, and the rules between flags that a table
// cannot state. Each module is imported when its command runs: importing them all (execa,
// dockerfile-ast, ...) cost `compile` and `--help` a few hundred milliseconds at every start.

export interface Io {
  out: (s: string) => void;
  /** One line on stderr. */
  err: (line: string) => void;
  warn: (d: Diagnostic) => void;
}

export async function runCommand(p: Parsed, { out, err, warn }: Io): Promise<number> {
  const print = (line: string) => out(`${line}\n`);
  switch (p.command) {
    case 'compile': {
      const { output, ...o } = p.options;
      if (o.check && !output) throw new UsageError('--check needs -o FILE: the file to check');
      if (output && !o.check && sameFile(output, o.matrix))
        throw new UsageError(`-o ${output} is the matrix itself: compiling would overwrite it with the bake file`);
      out(await (await import('../commands/compile.js')).compileCommand({ ...o, warn, ...(output && output !== '-' ? { out: output } : {}) }));
      return 0;
    }
    case 'list':
      out(await (await import('../commands/list.js')).listCommand({ ...p.options, warn }));
      return 0;
    case 'lint':
      out(await (await import('../commands/lint.js')).lintCommand({ ...p.options, warn }));
      return 0;
    case 'ci':
      out(await (await import('../commands/ci.js')).ciCommand({ ...p.options, warn }));
      return 0;
    case 'graph': {
      const { readme, check, output, ...o } = p.options;
      if (readme !== undefined) {
        // The matrices are the blocks' own: a MATRIX, --format or -o would be ignored, so they are refused.
        if (p.args.length > 0 || output || o.group || o.format !== 'mermaid')
          throw new UsageError("graph --readme FILE takes each matrix from its block's marker and draws mermaid: no MATRIX, --format, --group or -o");
        out(await (await import('../commands/graph.js')).readmeGraphCommand({ readme, check, warn }));
        return 0;
      }
      if (check) throw new UsageError('--check goes with --readme FILE');
      out(await (await import('../commands/graph.js')).graphCommand({ ...o, warn, ...(output && output !== '-' ? { out: output } : {}) }));
      return 0;
    }
    case 'explain':
      out(await (await import('../commands/explain.js')).explainCommand({ ...p.options, warn }));
      return 0;
    case 'check':
      out(await (await import('../commands/check.js')).checkCommand({ ...p.options, warn }));
      return 0;
    case 'bake': {
      const { var: vars, ...o } = p.options;
      await (await import('../commands/bake.js')).bakeCommand({ ...o, vars: keyValues(vars), extra: p.extra, warn, print, note: err });
      return 0;
    }
    case 'release': {
      const { var: vars, ...o } = p.options;
      await (await import('../commands/release.js')).releaseCommand({ ...o, vars: keyValues(vars), extra: p.extra, warn, print });
      return 0;
    }
    case 'promote': {
      const { from, ...o } = p.options;
      if (!from) throw new UsageError('promote needs --from STAGING_REGISTRY (where `release` pushed)');
      await (await import('../commands/promote.js')).promoteCommand({ ...o, from, warn, print });
      return 0;
    }
    case 'schema': {
      // The matrix file's JSON Schema (matrix/matrix.schema.json is this output, kept current by a test).
      const { matrixJsonSchema } = await import('../schema/json-schema.js');
      out(`${JSON.stringify(matrixJsonSchema(), null, 2)}\n`);
      return 0;
    }
    case 'version': {
      // The release version of the checkout (what `release` uses when --version is not given).
      const [{ gitFacts }, { versionFrom }] = await Promise.all([import('../run/git.js'), import('../release/version.js')]);
      const facts = await gitFacts(process.cwd());
      if (!facts) throw new UsageError('not in a git repository: the version comes from its tags and commit');
      out(`${versionFrom(facts)}\n`);
      return 0;
    }
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

function keyValues(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((p) => {
      const i = p.indexOf('=');
      if (i <= 0) throw new UsageError(`--var needs NAME=VALUE, got "${p}"`);
      return [p.slice(0, i), p.slice(i + 1)];
    }),
  );
}
