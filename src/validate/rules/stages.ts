import { didYouMean, error } from '../../diagnostics.js';
import { sortIntoLevels } from '../../graph/levels.js';
import { lookalikeNote, toAscii } from '../../lookalikes.js';
import { ARCH_AXIS } from '../../model/model.js';
import { BUILTIN_VARIABLES } from '../../model/variables.js';
import { keyPath, keySegment, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';
import { isCredentialArg } from './credentials.js';
import { misspeltAxes } from './misspelt-axes.js';
import { contextName, stageMeant, targetHint } from './stage-hints.js';

const NAME = /^[A-Za-z0-9_-]+$/;
/** Most stages a matrix may have: Dynamo's has 7, and planning grows faster than linearly with them. */
const MAX_STAGES = 256;
// A named context is looked up by the name a Dockerfile writes in FROM or COPY --from, which
// BuildKit parses as an image reference (lowercase) or matches against a stage name (lowercased),
// so a context named otherwise is never read.
export const CONTEXT = /^[a-z0-9]+(?:[._/:@-]+[a-z0-9]+)*$/;
// BuildKit lowercases `FROM ... AS <name>` and refuses any name but these
// (moby/buildkit frontend/dockerfile/instructions/parse.go, validStageName), so a target
// spelt otherwise is in no Dockerfile.
const DOCKER_STAGE = /^[a-z][a-z0-9_.-]*$/i;

export const stagesAreWellFormed: Rule = ({ file, model, report }) => {
  const axisNames = model.axes.map((a) => a.name);
  const stageNames = model.stages.map((s) => s.name);
  const variables = [...Object.keys(BUILTIN_VARIABLES), ...Object.keys(model.variables)];
  const noAxes = model.axes.length === 0 && !model.arch;
  const misspelt = misspeltAxes({ file, model });
  const named = [...new Set(model.stages.flatMap((s) => s.axes))].filter((a) => a !== ARCH_AXIS);
  if (noAxes && named.length > 0) {
    report(
      error(
        'matrix',
        `[matrix] lists no axes, but stages vary over ${named.map((a) => showString(a)).join(', ')}`,
        `list each axis with its values under [matrix], e.g. ${named[0]} = ["..."]`,
      ),
    );
  }
  if (model.stages.length > MAX_STAGES) {
    report(
      error(
        'stage',
        `${model.stages.length} stages, over the limit of ${MAX_STAGES}`,
        'a build graph has a handful of stages: split the matrix into several files',
      ),
    );
    return;
  }
  for (const stage of model.stages) {
    const at = (...rest: (string | number)[]) => keyPath('stage', stage.name, ...rest);
    if (!NAME.test(stage.name)) {
      const note = lookalikeNote(stage.name);
      report(
        error(
          at(),
          `stage name ${showString(stage.name)} may use only letters, digits, "_" and "-"${note ? `: ${note}` : ''}`,
          `rename it, e.g. [stage.${
            toAscii(stage.name)
              .trim()
              .replace(/[^A-Za-z0-9_-]+/g, '-') || 'base'
          }]`,
        ),
      );
    }
    const seen = new Set<string>();
    stage.axes.forEach((axis, i) => {
      if (axis === ARCH_AXIS) {
        report(error(at('axes', i), 'arch is implicit in every stage (nodes are multi-arch, with per-arch twins)', `remove "${ARCH_AXIS}" from ${at('axes')}`));
      } else if (!axisNames.includes(axis) && !noAxes && !misspelt.has(axis)) {
        report(
          Object.hasOwn(file.axis, axis)
            ? error(
                at('axes', i),
                `unknown axis ${showString(axis)}: [axis.${axis}] describes it, but [matrix] gives it no values`,
                `add ${axis} = ["..."] under [matrix]`,
              )
            : error(at('axes', i), `unknown axis ${showString(axis)}${didYouMean(axis, axisNames)}`, `the axes of [matrix]: ${axisNames.join(', ') || 'none'}`),
        );
      }
      if (seen.has(axis)) report(error(at('axes', i), `axis ${showString(axis)} is listed twice`, 'list each axis once'));
      seen.add(axis);
    });
    for (const link of stage.uses) {
      const path = at('uses', link.context);
      if (!CONTEXT.test(link.context)) {
        report(
          error(
            path,
            `named context ${showString(link.context)} is not a name a Dockerfile can read in FROM or COPY --from`,
            `use lowercase letters, digits, ".", "_", "-" and "/", e.g. ${contextName(link.context)}`,
          ),
        );
      }
      const used = model.stages.find((s) => s.name === link.stage);
      if (!used) {
        const meant = stageMeant(model.stages, link.stage);
        report(
          meant
            ? error(
                path,
                `unknown stage ${showString(link.stage)}: ${meant.why}`,
                `write ${keySegment(link.context)} = "${meant.stage}": uses names a stage, and each target links the ${meant.stage} target for its own axis values`,
              )
            : error(path, `unknown stage ${showString(link.stage)}${didYouMean(link.stage, stageNames)}`, `the stages: ${stageNames.join(', ')}`),
        );
        continue;
      }
      // A stage with an unknown axis is reported above, and its links are judged once that is fixed.
      if (stage.axes.some((a) => a !== ARCH_AXIS && !axisNames.includes(a))) continue;
      const wider = used.axes.filter((a) => !stage.axes.includes(a) && axisNames.includes(a));
      if (wider.length > 0) {
        report(
          error(
            path,
            `stage "${used.name}" varies over ${wider.map((a) => `"${a}"`).join(', ')}, which stage "${stage.name}" does not, so there is no single node to link`,
            `add ${wider.join(', ')} to ${at('axes')}, or link a stage with fewer axes`,
          ),
        );
      }
    }
    const explicitTarget = file.stage[stage.name]?.target !== undefined;
    if (!DOCKER_STAGE.test(stage.target) && (explicitTarget || NAME.test(stage.name))) {
      report(
        explicitTarget
          ? error(
              at('target'),
              `${showString(stage.target)} cannot be a Dockerfile stage: BuildKit names stages with a letter, then letters, digits, "-", "_" and "."`,
              targetHint(stage.target),
            )
          : error(
              at(),
              `the stage builds the Dockerfile stage of its own name, and ${showString(stage.target)} cannot be one: BuildKit names stages with a letter, then letters, digits, "-", "_" and "."`,
              `set ${at('target')} to the name in its FROM ... AS <name> line`,
            ),
      );
    }
    stage.variables.forEach((v, i) => {
      if (stage.variables.indexOf(v) !== i) report(error(at('variables', i), `variable ${showString(v)} is listed twice`, 'list each variable once'));
      // A credential-looking name is reported as such (credentials rule), which is the real problem.
      if (!variables.includes(v) && !isCredentialArg(v, model.variables[v])) {
        report(error(at('variables', i), `unknown bake variable ${showString(v)}${didYouMean(v, variables)}`, `declare it under [variables] with a default`));
      }
    });
    for (const [arg, v] of Object.entries(stage.variableArgs)) {
      if (!variables.includes(v))
        report(
          error(
            at('variable_args', arg),
            `unknown bake variable ${showString(v)}${didYouMean(v, variables)}`,
            `variable_args maps a build arg to a bake variable (DYNAMO_COMMIT_SHA = "GIT_SHA"): a built-in one (${Object.keys(BUILTIN_VARIABLES).join(', ')}) or one declared under [variables]`,
          ),
        );
      else if (stage.variables.includes(arg))
        report(
          error(
            at('variable_args', arg),
            `build arg ${showString(arg)} is both in variables (bake variable ${arg}) and in variable_args (bake variable ${v})`,
            'keep one of the two',
          ),
        );
    }
    if (!stage.dockerfile && !stage.axes.some((a) => model.axes.find((x) => x.name === a)?.values.every((v) => v.dockerfile))) {
      report(
        error(
          at('dockerfile'),
          'no Dockerfile for this stage',
          `set ${at('dockerfile')}, or a dockerfile on every value of one of its axes (axis.<name>.values.<value>.dockerfile)`,
        ),
      );
    }
  }
  const order = sortIntoLevels(stageNames, (s) => model.stages.find((x) => x.name === s)!.uses.map((u) => u.stage));
  if ('cycle' in order) {
    report(
      error(
        keyPath('stage', order.cycle[0]!, 'uses'),
        `dependency cycle: ${order.cycle.join(' -> ')}`,
        'a stage cannot use itself, directly or through others',
      ),
    );
  }
};
