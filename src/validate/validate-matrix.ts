import { fail, ok, type Diagnostic, type Result } from '../diagnostics.js';
import type { LoadedMatrix } from '../load/load-matrix.js';
import type { Matrix } from '../model/model.js';
import { normaliseMatrix } from '../model/normalise-matrix.js';
import { matrixFileSchema } from '../model/schema.js';
import type { Rule } from './rule.js';
import { argScopesNameRealThings } from './rules/arg-scopes.js';
import { axesAreWellFormed } from './rules/axes.js';
import { contextsAreSources } from './rules/contexts.js';
import { runnersNameArchValues } from './rules/ci.js';
import { noCredentialsInArgs } from './rules/credentials.js';
import { excludesNameRealValues } from './rules/excludes.js';
import { pathsStayInRepo } from './rules/paths.js';
import { referencesAreValid } from './rules/references.js';
import { sccacheIsUsable } from './rules/sccache.js';
import { stagesAreWellFormed } from './rules/stages.js';
import { stringsAreNfc } from './rules/unicode.js';
import { tagTemplatesAreSound } from './rules/tags.js';
import { variablesAndArgsAreNamed } from './rules/variables.js';
import { whenNamesRealCells } from './rules/when.js';
import { schemaDiagnostics } from './schema-issues.js';

const RULES: Rule[] = [
  axesAreWellFormed,
  stagesAreWellFormed,
  excludesNameRealValues,
  whenNamesRealCells,
  argScopesNameRealThings,
  contextsAreSources,
  noCredentialsInArgs,
  pathsStayInRepo,
  referencesAreValid,
  variablesAndArgsAreNamed,
  runnersNameArchValues,
  sccacheIsUsable,
  stringsAreNfc,
  tagTemplatesAreSound,
];

/** Shape (zod), then normalise, then every semantic rule; all problems at once. */
export function validateMatrix(loaded: LoadedMatrix): Result<Matrix> {
  const inFile = (d: Diagnostic): Diagnostic => ({ ...d, file: loaded.file });
  const parsed = matrixFileSchema.safeParse(loaded.raw, { reportInput: true });
  if (!parsed.success) return fail(schemaDiagnostics(parsed.error.issues, loaded.raw).map(inFile));
  const model = normaliseMatrix(loaded.file, parsed.data);
  const found: Diagnostic[] = [];
  for (const rule of RULES) rule({ file: parsed.data, model, report: (d) => found.push(inFile(d)) });
  const errors = found.filter((d) => d.severity === 'error');
  const warnings = found.filter((d) => d.severity === 'warning');
  return errors.length > 0 ? fail(errors, warnings) : ok(model, warnings);
}
