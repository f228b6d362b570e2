import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALL_FLAGS, COMMANDS, HELP } from '../../../src/cli/commands.js';
import { cliReference } from '../../../src/cli/markdown.js';
import { findCommand, parseCommand } from '../../../src/cli/parse-argv.js';
import type { CommandSpec } from '../../../src/cli/spec.js';
import { UsageError } from '../../../src/errors.js';

// The commands' tables (src/cli/options/): what parsing makes of a command line, that each table
// agrees with the prose its help prints, and that docs/cli.md is what they generate.

const tables = Object.entries(COMMANDS) as [keyof typeof COMMANDS, CommandSpec][];
const parse = <C extends keyof typeof COMMANDS>(command: C, ...args: string[]) => {
  const r = parseCommand(command, COMMANDS[command], args, ALL_FLAGS);
  if (r === 'help') throw new Error('help');
  return r;
};
const usageError = (command: keyof typeof COMMANDS, ...args: string[]) => {
  try {
    parse(command, ...args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`${command} ${args.join(' ')} parsed`);
};

describe('docs/cli.md', () => {
  it('is current: `make cli-docs` regenerates it from the tables', () => {
    expect(readFileSync('docs/cli.md', 'utf8')).toBe(cliReference());
  });
});

describe('the tables', () => {
  it('a flag means the same in every command that takes it, and a short alias names one flag', () => {
    const seen = new Map<string, string>();
    const shorts = new Map<string, string>();
    for (const [command, c] of [...tables, ['help', HELP] as const]) {
      for (const [name, f] of Object.entries(c.flags)) {
        const shape = JSON.stringify([f.type, f.short, f.multiple ?? false]);
        expect(seen.get(name) ?? shape, `${command} --${name}`).toBe(shape);
        seen.set(name, shape);
        if (f.short !== undefined) expect(shorts.get(f.short) ?? name, `${command} -${f.short}`).toBe(name);
        if (f.short !== undefined) shorts.set(f.short, name);
      }
    }
    // -h and -V are matrixbake's own.
    expect([...shorts.keys()].filter((s) => s === 'h' || s === 'V')).toEqual([]);
  });

  it.each(tables)('%s: the usage names every flag and positional; the help text says what the table says', (_command, c) => {
    const usage = c.usage.join(' ');
    for (const [name, f] of Object.entries(c.flags)) {
      expect(usage, `--${name}`).toMatch(new RegExp(`(--${name}|-${f.short ?? '-'})( |\\]|\\||=|$)`));
      expect(f.value !== undefined, `--${name}: a string flag has a value placeholder, a boolean none`).toBe(f.type === 'string');
      expect(f.help.includes('(repeatable)'), `--${name}`).toBe(f.multiple === true);
      if (f.choices) {
        expect(f.choices, `--${name}`).toContain(f.default);
        for (const v of f.choices) expect(f.help, `--${name} ${v}`).toMatch(new RegExp(`\\b${v}\\b${v === f.default ? ' \\(default\\)' : ''}`));
      }
    }
    for (const p of Object.values(c.positionals)) {
      const written = p.required ? `(^| )${p.name}( |$)` : `\\[${p.name.replace('|', '\\|')}${p.repeated ? '\\.\\.\\.' : ''}\\]`;
      expect(usage, p.name).toMatch(new RegExp(written));
    }
    if (c.passthrough) expect(usage).toContain(`[-- ${c.passthrough.name}]`);
  });
});

describe('parsing with a table', () => {
  it('the command word may come after flags; a flag value is no command', () => {
    expect(findCommand(['--json', 'list', 'm.toml'], ALL_FLAGS)).toEqual({ command: 'list', args: ['--json', 'm.toml'] });
    expect(findCommand(['-o', 'out.hcl', 'compile'], ALL_FLAGS)).toEqual({ command: 'compile', args: ['-o', 'out.hcl'] });
    expect(findCommand(['--help'], ALL_FLAGS)).toEqual({ args: ['--help'] });
  });

  it('typed options: defaults, camelCase keys, repeatable flags as lists', () => {
    expect(parse('compile').options).toEqual({ matrix: 'matrix/dynamo.toml', format: 'hcl', check: false });
    expect(parse('bake', 'matrix/demo.toml', 'all', '--one-bake', '--var', 'A=1', '--var', 'B=2').options).toEqual({
      matrix: 'matrix/demo.toml',
      targets: ['all'],
      var: ['A=1', 'B=2'],
      set: [],
      push: false,
      dryRun: false,
      json: false,
      levels: false,
      oneBake: true,
    });
    expect(parse('release', '--sbom-generator', 'img', '--phase', 'merge').options).toMatchObject({
      group: 'default',
      phase: 'merge',
      sbomGenerator: 'img',
      only: false,
    });
    expect(parse('ci', '-f', 'gitlab').options.format).toBe('gitlab');
  });

  it('a first positional ending in .toml is the matrix for the commands that take targets; elsewhere the first is the matrix', () => {
    expect(parse('bake', 'vllm', 'base').options).toMatchObject({ matrix: 'matrix/dynamo.toml', targets: ['vllm', 'base'] });
    expect(parse('bake', 'm.toml', 'vllm').options).toMatchObject({ matrix: 'm.toml', targets: ['vllm'] });
    expect(parse('release', 'vllm').options).toMatchObject({ matrix: 'matrix/dynamo.toml', group: 'vllm' });
    expect(parse('promote', 'm.toml').options).toMatchObject({ matrix: 'm.toml', group: 'default' });
    expect(parse('explain', 't', 'm').options).toMatchObject({ target: 't', matrix: 'm' });
    expect(parse('explain', 'm.toml', 't').options).toMatchObject({ target: 't', matrix: 'm.toml' });
    expect(parse('compile', 'some/dir').options.matrix).toBe('some/dir');
    expect(parse('check', 'some/dir', 'vllm').options).toMatchObject({ matrix: 'some/dir', targets: ['vllm'] });
  });

  it('`--` passes arguments on for bake and release; elsewhere what follows it is positional', () => {
    const r = parse('bake', 'vllm', '--dry-run', '--', '--progress=plain', '--help');
    expect([r.options.targets, r.options.dryRun, r.extra]).toEqual([['vllm'], true, ['--progress=plain', '--help']]);
    expect(parse('release', '--', '--no-cache').extra).toEqual(['--no-cache']);
    expect(parse('compile', '--', '-odd.toml').options.matrix).toBe('-odd.toml');
  });

  it('usage errors, worded from the table', () => {
    expect(usageError('list', '--group', 'vllm')).toBe('list does not take --group (it takes --twins, --json)');
    expect(usageError('list', '-o', 'x')).toBe('list does not take --output (it takes --twins, --json)');
    expect(usageError('schema', '--json')).toBe('schema does not take --json');
    expect(usageError('lint', 'm.toml', 'x')).toBe('unexpected argument "x"');
    expect(usageError('release', 'a', 'b')).toBe('unexpected argument "b"');
    expect(usageError('explain', 'm.toml')).toBe('explain needs a TARGET, e.g. matrixbake explain runtime-vllm-cuda12');
    expect(usageError('explain', 't', 'm', 'x')).toBe('unexpected argument "x"');
    expect(usageError('compile', '--format', 'yaml')).toBe('unknown --format "yaml" (use hcl, json, resolved)');
    expect(usageError('graph', '--format', 'png')).toBe('unknown graph --format "png" (use mermaid, dot, svg)');
    expect(usageError('release', '--phase', 'x')).toBe('unknown --phase "x" (use all, build, merge)');
    expect(usageError('compile', '--frob')).toMatch(/^Unknown option '--frob'/);
    expect(usageError('list', '--twins=1')).toBe("Option '--twins' does not take an argument");
  });

  it('--help and -h ask for the help, unless after `--`', () => {
    expect(parseCommand('bake', COMMANDS.bake, ['--check', '-h'], ALL_FLAGS)).toBe('help');
    expect(parse('bake', '--', '--help').extra).toEqual(['--help']);
  });
});
