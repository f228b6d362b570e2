import { sccacheArgs } from '../../bake/sccache.js';
import { error } from '../../diagnostics.js';
import { BUILTIN_VARIABLES } from '../../model/variables.js';
import { keyPath, showString } from '../../show-value.js';
import type { Matrix, Stage } from '../../model/model.js';
import type { Rule, RuleContext } from '../rule.js';

// Bake variables are HCL identifiers and environment variable names; build args are what a
// Dockerfile `ARG` declares and `$NAME` expands.
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ARG = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Declared by every bake file (or with [sccache]); a second declaration is an HCL error. */
const RESERVED = [...Object.keys(BUILTIN_VARIABLES), 'SCCACHE_BUCKET', 'SCCACHE_REGION', 'AWS_WEB_IDENTITY_TOKEN_FILE'];
/**
 * Set in the environment of every command a shell runs (`_` is the command's own path). Bake
 * reads each declared variable from the environment first, so the default would never be used.
 */
const SHELL_SET = ['_', 'PWD', 'OLDPWD', 'SHLVL', 'HOME', 'PATH', 'USER', 'LOGNAME', 'SHELL'];

export const variablesAndArgsAreNamed: Rule = ({ model, report }) => {
  for (const name of Object.keys(model.variables)) {
    const at = keyPath('variables', name);
    if (!IDENTIFIER.test(name))
      report(
        error(at, `bake variable name ${showString(name)} is not an identifier`, 'use letters, digits and "_", not starting with a digit, e.g. BUILD_NONCE'),
      );
    else if (RESERVED.includes(name))
      report(
        error(
          at,
          `${showString(name)} is a built-in bake variable; declaring it again would break the bake file`,
          `override it at bake time instead (${name}=... docker buildx bake, or matrixbake bake --var ${name}=...)`,
        ),
      );
    else if (SHELL_SET.includes(name))
      report(
        error(
          at,
          `${showString(name)} is set by the shell in every environment bake runs in, and bake takes a variable's value from the environment first: this default would never be used`,
          'give the variable a name of its own, e.g. BUILD_NONCE',
        ),
      );
  }
  const check = (path: (string | number)[], args: Record<string, string>) => {
    for (const name of Object.keys(args)) {
      if (!ARG.test(name))
        report(
          error(
            keyPath(...path, name),
            `build arg name ${showString(name)} is not a name a Dockerfile ARG can declare`,
            'use letters, digits and "_", e.g. CUDA_VERSION',
          ),
        );
    }
  };
  check(['project', 'args'], model.project.args);
  for (const axis of [...model.axes, ...(model.arch ? [model.arch] : [])])
    for (const v of axis.values) check(['axis', axis.name, 'values', v.value, 'args'], v.args);
  for (const stage of model.stages) check(['stage', stage.name, 'args'], stage.args);
  for (const stage of model.stages) check(['stage', stage.name, 'variable_args'], stage.variableArgs);
  for (const w of model.when) check(['when', w.index, 'args'], w.args);
  for (const stage of model.stages) checkPassedTwice(model, stage, report);
};

// Every arg a target passes is one attribute of its `args` map; a name passed twice is an HCL
// error (or, in JSON, one value silently wins).
function checkPassedTwice(m: Matrix, stage: Stage, report: RuleContext['report']): void {
  const setBy = new Map<string, string>();
  for (const name of Object.keys(m.project.args)) setBy.set(name, keyPath('project', 'args', name));
  for (const axis of [...m.axes.filter((a) => stage.axes.includes(a.name)), ...(m.arch ? [m.arch] : [])]) {
    for (const v of axis.values) for (const name of Object.keys(v.args)) setBy.set(name, keyPath('axis', axis.name, 'values', v.value, 'args', name));
  }
  for (const w of m.when.filter(
    (x) => (x.stages === undefined || x.stages.includes(stage.name)) && Object.keys(x.match).every((a) => stage.axes.includes(a) || a === m.arch?.name),
  )) {
    for (const name of Object.keys(w.args)) setBy.set(name, keyPath('when', w.index, 'args', name));
  }
  for (const name of Object.keys(stage.args)) setBy.set(name, keyPath('stage', stage.name, 'args', name));
  stage.variables.forEach((v, i) => {
    const other = setBy.get(v);
    if (other)
      report(
        error(
          keyPath('stage', stage.name, 'variables', i),
          `build arg ${showString(v)} would be passed twice: as the bake variable and as ${other}`,
          'keep one of the two',
        ),
      );
  });
  for (const [arg, v] of Object.entries(stage.variableArgs)) {
    const other = setBy.get(arg);
    if (other)
      report(
        error(
          keyPath('stage', stage.name, 'variable_args', arg),
          `build arg ${showString(arg)} would be passed twice: as bake variable ${v} and as ${other}`,
          'keep one of the two',
        ),
      );
  }
  if (!stage.sccache) return;
  for (const [name] of sccacheArgs(m)) {
    const other =
      setBy.get(name) ??
      (stage.variables.includes(name)
        ? keyPath('stage', stage.name, 'variables')
        : Object.hasOwn(stage.variableArgs, name)
          ? keyPath('stage', stage.name, 'variable_args', name)
          : undefined);
    if (other)
      report(
        error(
          other,
          `build arg ${showString(name)} is also passed by [sccache] when USE_SCCACHE is on`,
          `remove it, or set stage.${stage.name}.sccache = false`,
        ),
      );
  }
}
