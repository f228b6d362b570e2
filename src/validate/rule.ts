import type { Diagnostic } from '../diagnostics.js';
import type { Matrix } from '../model/model.js';
import type { MatrixFile } from '../model/schema.js';

export interface RuleContext {
  /** As written (after defaults), for rules about keys the model folds away. */
  file: MatrixFile;
  model: Matrix;
  report(d: Diagnostic): void;
}

/** A semantic check: reads the context, reports every problem it finds, never stops early. */
export type Rule = (ctx: RuleContext) => void;
