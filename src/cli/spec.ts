// The shape of a command's table (src/cli/options/<command>.ts). Everything about a command line
// derives from it: parsing (parse-argv.ts), the global help and each command's (help.ts), the
// reference docs/cli.md (markdown.ts), and the typed options run-command.ts reads (Options<C>).

interface Example {
  /** A command line: words, 'single-quoted' words, and at most a trailing `> FILE`. */
  run: string;
  /** Printed above it as a comment. */
  why?: string;
}

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** One letter: `-o` for --output. */
  readonly short?: string;
  /** Repeatable: the value is every occurrence, in order ([] when none). */
  readonly multiple?: boolean;
  /** A string flag's value when it is not given. */
  readonly default?: string;
  /** The only values a string flag accepts; another is a usage error. */
  readonly choices?: readonly string[];
  /** How that error names the flag, when not `--<name>` (`unknown ci --format "x"`). */
  readonly label?: string;
  /** A string flag's value as the help writes it: FILE in `-o, --output FILE`. */
  readonly value?: string;
  readonly help: string;
}

export interface PositionalSpec {
  /** As the usage writes it: MATRIX, TARGET, GROUP|TARGET. */
  readonly name: string;
  readonly help: string;
  readonly required?: boolean;
  /** Takes every argument left (TARGET...). */
  readonly repeated?: boolean;
  /** A value, or where to find one when the command runs (the matrix: package.json). */
  readonly default?: string | (() => string);
  /** How help and docs/cli.md name a default found at run time. */
  readonly defaultText?: string;
  /**
   * Takes the first argument when it ends in this (MATRIX before targets: '.toml'), wherever it
   * is declared; otherwise it takes its declared place, unless that place is the first.
   */
  readonly leadsIf?: string;
  /** Completes "explain needs a TARGET, e.g. matrixbake explain <example>" when it is missing. */
  readonly example?: string;
}

/** What a command line may hold: the part of a table that parsing reads. */
export interface ArgsSpec {
  /** In usage order; the keys name them in the typed options. */
  readonly positionals: Readonly<Record<string, PositionalSpec>>;
  /** In help order; the keys are the long names (kebab-case; camelCase in the typed options). */
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** The arguments after `--`, passed on as they are; a command without it reads them as positionals. */
  readonly passthrough?: { readonly name: string; readonly help: string };
}

export interface CommandSpec extends ArgsSpec {
  /** What follows `matrixbake <command>`, one line per form. */
  readonly usage: readonly string[];
  /** The global help's line: one line, at most 88 characters. */
  readonly summary: string;
  /** Paragraphs, wrapped when printed. */
  readonly description: readonly string[];
  /** The first one is also the global help's example, unless featured is false. */
  readonly examples: readonly Example[];
  readonly featured?: boolean;
}

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type FlagValue<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { multiple: true }
    ? string[]
    : F extends { choices: readonly (infer V)[] }
      ? V
      : string;
type FlagAlways<F> = F extends { type: 'boolean' } | { multiple: true } | { default: string } ? true : false;
type ArgValue<P> = P extends { repeated: true } ? string[] : string;
type ArgAlways<P> = P extends { repeated: true } | { required: true } | { default: string | (() => string) } ? true : false;

type FlagOptions<R> = { [K in keyof R & string as FlagAlways<R[K]> extends true ? Camel<K> : never]: FlagValue<R[K]> } & {
  [K in keyof R & string as FlagAlways<R[K]> extends true ? never : Camel<K>]?: FlagValue<R[K]>;
};
type ArgOptions<R> = { [K in keyof R & string as ArgAlways<R[K]> extends true ? K : never]: ArgValue<R[K]> } & {
  [K in keyof R & string as ArgAlways<R[K]> extends true ? never : K]?: ArgValue<R[K]>;
};

/**
 * A command's options as parsing returns them: its flags (camelCase; a boolean false and a
 * repeatable [] when not given, a string its default or absent, a flag with choices one of them)
 * and its positionals (a repeated one a list, one with a default or required a string).
 */
export type Options<C extends ArgsSpec> = FlagOptions<C['flags']> & ArgOptions<C['positionals']>;
