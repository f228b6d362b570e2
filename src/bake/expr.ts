// A small typed syntax tree for bake attribute values. Printers (HCL, JSON) and the evaluator
// (resolve) walk it; nothing builds bake text by joining strings.

export type Expr =
  | { k: 'str'; v: string } // a literal, possibly user-written: always escaped
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'var'; name: string }
  | { k: 'tpl'; parts: (string | Expr)[] } // literal text and interpolations
  | { k: 'call'; fn: BakeFunction; args: Expr[] }
  | { k: 'cond'; test: Expr; then: Expr; else: Expr }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: [string, Expr][] };

/** The only bake (go-cty) functions the compiler emits; the evaluator implements each. */
export type BakeFunction = 'regex_replace';

export const str = (v: string): Expr => ({ k: 'str', v });
export const bool = (v: boolean): Expr => ({ k: 'bool', v });
export const nul: Expr = { k: 'null' };
export const ref = (name: string): Expr => ({ k: 'var', name });
export const tpl = (...parts: (string | Expr)[]): Expr => ({ k: 'tpl', parts });
export const call = (fn: BakeFunction, ...args: Expr[]): Expr => ({ k: 'call', fn, args });
export const cond = (test: Expr, then: Expr, otherwise: Expr): Expr => ({ k: 'cond', test, then, else: otherwise });
export const list = (items: Expr[]): Expr => ({ k: 'list', items });
export const map = (entries: [string, Expr][]): Expr => ({ k: 'map', entries });
