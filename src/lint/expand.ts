// Dockerfile word expansion, enough for the names the lint follows (FROM images, --from stages):
// $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:+alt}, ${VAR+alt}. Unknown variables
// expand to "" as in BuildKit.
export function expandWord(word: string, vars: ReadonlyMap<string, string>): string {
  return word.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, braced, op, operand, bare) => {
    const name = (braced ?? bare) as string;
    const set = vars.has(name);
    const value = vars.get(name) ?? '';
    switch (op as string | undefined) {
      case ':-':
        return value !== '' ? value : operand;
      case '-':
        return set ? value : operand;
      case ':+':
        return value !== '' ? operand : '';
      case '+':
        return set ? operand : '';
      default:
        return value;
    }
  });
}
