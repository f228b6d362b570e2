import type { Expr } from './expr.js';

// The bake file as a value: what every printer prints. Attribute names are bake's own
// (`cache-from`, `secret`), in the order they are printed.

export type TargetAttribute =
  | 'description'
  | 'context'
  | 'contexts'
  | 'dockerfile'
  | 'target'
  | 'args'
  | 'labels'
  | 'tags'
  | 'output'
  | 'platforms'
  | 'cache-from'
  | 'cache-to'
  | 'secret';

export interface BakeVariable {
  name: string;
  default: Expr;
  /** Printed as a comment in HCL. */
  comment: string;
}

export interface BakeTarget {
  name: string;
  /** Printed above it in HCL: what the target does not get, and why. */
  comment?: string;
  attributes: [TargetAttribute, Expr][];
}

export interface BakeGroup {
  name: string;
  comment: string;
  targets: string[];
}

export interface BakeFile {
  /** Printed at the top of the HCL file. */
  header: string[];
  variables: BakeVariable[];
  groups: BakeGroup[];
  targets: BakeTarget[];
}

/**
 * The same file with its targets made one at a time as they are read (each read makes them
 * anew), for a printer that needs one target at a time: a 10,000-target file never holds them
 * all, and the garbage collector never copies them (bench: compile_10k_cells_ms).
 */
export type BakeFileStream = Omit<BakeFile, 'targets'> & { targets: Iterable<BakeTarget> };
