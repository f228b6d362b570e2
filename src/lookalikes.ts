// Characters that look like ASCII ones, as text pasted from chat apps, word processors and
// other keyboard layouts brings them: a name with a Cyrillic "а" reads as "base" and is not.

const LETTERS: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'B',
  е: 'e',
  к: 'k',
  м: 'M',
  н: 'H',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 'T',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ԛ: 'q',
  ԝ: 'w',
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  Х: 'X',
  І: 'I',
  Ј: 'J',
  Ѕ: 'S',
  // Greek
  α: 'a',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  // Typography: smart quotes, dashes, a minus sign, spaces that are not U+0020
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2212': '-',
  '\u00a0': ' ',
  '\u2007': ' ',
  '\u202f': ' ',
  '\u3000': ' ',
};

/** The ASCII character `ch` looks like, if any (fullwidth forms included: ＝ -> =). */
export function asciiLookalike(ch: string): string | undefined {
  if (Object.hasOwn(LETTERS, ch)) return LETTERS[ch];
  const code = ch.codePointAt(0)!;
  return code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : undefined;
}

/** `U+0430`. */
export function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `"а" (U+0430)`: a character as a message names it, its code point making it tellable. */
export function describeChar(ch: string): string {
  return `${JSON.stringify(ch)} (${codePoint(ch)})`;
}

/** `s` with every look-alike replaced by the ASCII character it looks like. */
export function toAscii(s: string): string {
  return [...s].map((c) => asciiLookalike(c) ?? c).join('');
}

/** `its "а" (U+0430) only looks like "a"` for the first look-alike in `word`, else undefined. */
export function lookalikeNote(word: string): string | undefined {
  const ch = [...word].find((c) => asciiLookalike(c) !== undefined);
  return ch === undefined ? undefined : `its ${describeChar(ch)} only looks like ${JSON.stringify(asciiLookalike(ch))}`;
}
