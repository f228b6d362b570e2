import TOML from '@iarna/toml';

// The one place that knows the TOML library.

export interface TomlSyntaxError {
  /** 1-based. */
  line: number;
  column: number;
  /** The parser's own words, its code-point numbers turned back into characters. */
  message: string;
}

export function parseToml(text: string): { value: unknown } | { error: TomlSyntaxError } {
  const restore = PROTO_WORD.test(text) ? snapshotBuiltins() : undefined;
  try {
    return { value: TOML.parse(text) };
  } catch (e) {
    const err = e as { line?: number; col?: number; message?: string };
    // @iarna/toml appends its own frame after " at row "; keep the first sentence. It names some
    // characters by their code point (`Unknown character "123"`), which no user recognises.
    const message = String(err.message ?? e)
      .split(' at row ')[0]!
      .trim()
      .replace(/^(Unknown character ")(\d+)(")$/, (_m, a: string, n: string, b: string) => `${a}${String.fromCodePoint(Number(n))}${b}`)
      .replace(/^(Unknown escape character: )(\d+)$/, (_m, a: string, n: string) => `${a}\\${String.fromCodePoint(Number(n))}`);
    // Its line is 0-based; its column counts from 1 on the first line and from 0 on the others
    // (nextChar() resets it to -1 at a newline, to 0 at the start).
    const line = err.line ?? 0;
    const col = err.col ?? 0;
    return { error: { line: line + 1, column: Math.max(1, line === 0 ? col : col + 1), message } };
  } finally {
    restore?.();
  }
}

// @iarna/toml builds tables on plain objects and looks keys up with `obj[key]`, so a table named
// like an Object member writes through it: `[stage.constructor] dockerfile = "x"` sets
// `Object.dockerfile`, and `[x.__proto__]` writes into every object's prototype. The loader refuses
// such keys (load/check-tree.ts), but by then the parser has written; it is undone here, so that
// one bad matrix cannot change how a later one in the same process parses.
const PROTO_WORD = new RegExp(
  `(${[...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype), 'prototype'])].join('|')})`,
);

/** Records the own properties of what such a key path can reach; the returned function puts them back. */
function snapshotBuiltins(): () => void {
  const reachable = new Set<object>([Object, Object.prototype, Function, Function.prototype]);
  for (const o of [Object.prototype, Function.prototype])
    for (const k of Object.getOwnPropertyNames(o)) {
      const v = Object.getOwnPropertyDescriptor(o, k)?.value as unknown;
      if (typeof v === 'function') reachable.add(v);
    }
  const saved = [...reachable].map((o) => [o, Object.getOwnPropertyDescriptors(o)] as const);
  return () => {
    for (const [o, before] of saved) {
      for (const k of Reflect.ownKeys(o)) if (!(k in before)) Reflect.deleteProperty(o, k);
      for (const [k, d] of Object.entries(before)) if (Object.getOwnPropertyDescriptor(o, k)?.value !== d.value) Object.defineProperty(o, k, d);
    }
  };
}
