// Checks of the parsed TOML tree before anything else reads it, walked without recursion so that
// no input can overflow the stack:
// - depth: a matrix nests a few levels (axis.cuda.values.12.args.X is 5); `a = [[[[...]]]]` a
//   hundred thousand deep would crash every recursive reader after the parser.
// - reserved names: @iarna/toml builds tables on plain objects, so a table named `__proto__`
//   becomes a key that JavaScript drops when the table is copied (`[stage.__proto__]` silently
//   vanishes), and one named like an Object method (`[x.constructor]`) is merged into it.
// - invisible characters: a zero-width space or a bidi control in a key or a value makes a name,
//   arg or path that looks right and is not (`"vllm\u200b"` names targets `vllm_`). Free text
//   (a description, a reason) may hold them: emoji sequences are joined with U+200D.

export const MAX_DEPTH = 16;

const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Unicode format characters (category Cf): zero-width spaces and joiners, bidi controls, BOMs. */
const INVISIBLE = /\p{Cf}/u;
const FREE_TEXT = new Set(['description', 'reason']);

export type TreeProblem =
  | { kind: 'deep' | 'reserved'; path: (string | number)[] }
  | { kind: 'invisible'; path: (string | number)[]; char: string; inKey: boolean };

export function checkTree(root: unknown): TreeProblem | undefined {
  const todo: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (todo.length > 0) {
    const { value, path } = todo.pop()!;
    if (typeof value === 'function') return { kind: 'reserved', path };
    if (typeof value === 'string' && !FREE_TEXT.has(String(path.at(-1)))) {
      const char = INVISIBLE.exec(value)?.[0];
      if (char !== undefined) return { kind: 'invisible', path, char, inKey: false };
    }
    if (value === null || typeof value !== 'object' || value instanceof Date) continue;
    if (path.length >= MAX_DEPTH) return { kind: 'deep', path };
    if (Array.isArray(value)) {
      value.forEach((x, i) => todo.push({ value: x, path: [...path, i] }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (PROTO_NAMES.has(key)) return { kind: 'reserved', path: [...path, key] };
      const char = INVISIBLE.exec(key)?.[0];
      if (char !== undefined) return { kind: 'invisible', path: [...path, key], char, inKey: true };
      todo.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}
