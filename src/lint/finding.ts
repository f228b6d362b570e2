// A lint finding: a place in a Dockerfile (or the matrix) and the matrix key that disagrees with it.

export interface Finding {
  file: string;
  line: number;
  /** Matrix key path: `stage.runtime.uses.backend`, `axis.framework.values.vllm.args.VLLM_REF`. */
  key: string;
  message: string;
  hint?: string;
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}: ${f.key}: ${f.message}${f.hint ? ` (hint: ${f.hint})` : ''}`;
}
