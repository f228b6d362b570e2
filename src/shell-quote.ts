// Its own module: the CI emitters quote commands too, and should not load execa to do it.

/** How to show a command to a human, quoted so that it can be pasted into a POSIX shell. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`)).join(' ');
}
