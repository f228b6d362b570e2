import { error, fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import { codeFrame } from './code-frame.js';
import { decodeText } from './decode-text.js';
import { readMatrixFile } from './read-matrix-file.js';
import { explainSyntaxError } from './syntax-message.js';
import { codePoint } from '../lookalikes.js';
import { keyPath, showString } from '../show-value.js';
import { checkTree, MAX_DEPTH } from './check-tree.js';
import { parseToml } from './toml.js';

export interface LoadedMatrix {
  file: string;
  text: string;
  raw: unknown;
}

/** Path -> parsed TOML: a bounded read, then UTF-8, then TOML. Every failure is one diagnostic. */
export async function loadMatrix(file: string): Promise<Result<LoadedMatrix>> {
  const at = (d: Omit<Diagnostic, 'severity'>): Result<LoadedMatrix> => fail([{ ...error(undefined, d.message, d.hint), ...d, file }]);
  const read = await readMatrixFile(file);
  if ('problem' in read) return at(read.problem);
  const decoded = decodeText(read.bytes);
  if ('problem' in decoded) return at(decoded.problem);
  const { text } = decoded;
  const parsed = parseToml(text);
  if ('error' in parsed) {
    const { line } = parsed.error;
    const { column, ...explained } = explainSyntaxError(text, parsed.error);
    return at({ line, column, ...explained, frame: codeFrame(text, line, column) });
  }
  const tree = checkTree(parsed.value);
  if (tree?.kind === 'reserved') {
    const key = String(tree.path.at(-1));
    return at({
      path: keyPath(...tree.path),
      message: `key ${JSON.stringify(key)} is reserved (it is a JavaScript object member, which TOML tables cannot safely hold)`,
      hint: 'rename it',
    });
  }
  if (tree?.kind === 'invisible') {
    const where = tree.inKey ? `key ${showString(String(tree.path.at(-1)))}` : `value ${showString(String(valueAt(parsed.value, tree.path)))}`;
    return at({
      path: keyPath(...tree.path),
      message: `${where} holds an invisible character (${codePoint(tree.char)}), so it is not what it looks like`,
      hint: 'delete the character: retype the name or value (an editor that shows invisible characters finds it)',
    });
  }
  if (tree?.kind === 'deep') {
    return at({
      path: `${keyPath(...tree.path.slice(0, 4))}…`,
      message: `lists and tables nest more than ${MAX_DEPTH} levels deep`,
      hint: 'a matrix nests a few levels at most: check the brackets',
    });
  }
  if (isEmptyTable(parsed.value)) {
    return at({
      message: 'holds only comments and blank lines',
      hint: 'a matrix needs [project], [matrix] and at least one [stage.<name>]; see the smallest matrix in the README of matrixbake',
    });
  }
  return ok({ file, text, raw: parsed.value });
}

const valueAt = (root: unknown, path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);

const isEmptyTable = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length === 0;
