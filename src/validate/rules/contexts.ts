import { error } from '../../diagnostics.js';
import { ARCH_AXIS } from '../../model/model.js';
import { isRemote } from '../../model/remote.js';
import { IMAGE_REFERENCE, IMAGE_SOURCE, OCI_SOURCE, ociLayoutDir, sourceKind } from '../../model/sources.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';
import { pathProblem } from './paths.js';
import { CONTEXT } from './stages.js';

// `contexts`: named contexts that are no stage (TensorRT-LLM's wheel directory, an NGC image).
// Each is checked as written here; whether a directory exists is lint's (it is made before the build).

export const contextsAreSources: Rule = ({ model, report }) => {
  const stageNames = model.stages.map((s) => s.name);
  const check = (path: string, name: string, source: string) => {
    if (!CONTEXT.test(name))
      report(
        error(
          path,
          `named context ${showString(name)} is not a name a Dockerfile can read in FROM or COPY --from`,
          'use lowercase letters, digits, ".", "_", "-" and "/", e.g. trtllm_wheel',
        ),
      );
    const bare = source.replace(/^target:/, '');
    if (source.startsWith('target:') || stageNames.includes(bare)) {
      report(
        error(path, `${showString(source)} is a stage: contexts are directories, images and OCI layouts`, `link the stage with uses = { ${name} = "${bare}" }`),
      );
      return;
    }
    const kind = sourceKind(source);
    if (kind === 'image') {
      const ref = source.slice(IMAGE_SOURCE.length);
      if (!IMAGE_REFERENCE.test(ref))
        report(
          error(
            path,
            `${showString(ref)} is not an image reference`,
            'write docker-image://<registry>/<repository>[:tag][@sha256:<digest>], lowercase, e.g. docker-image://nvcr.io/nvidia/pytorch:25.10-py3',
          ),
        );
      return;
    }
    const dir = kind === 'oci-layout' ? ociLayoutDir(source) : source;
    if (kind === 'local' && isRemote(source)) {
      report(
        error(
          path,
          `${showString(source)} is a URL: contexts here are directories, docker-image:// and oci-layout://`,
          'fetch it into a directory of the repository before the build, or pass it at bake time with --set <target>.contexts.<name>=<url>',
        ),
      );
      return;
    }
    const problem = pathProblem(dir);
    if (problem)
      report(
        error(
          path,
          `${showString(dir)} ${problem}`,
          problem.startsWith('is absolute')
            ? `use a directory inside the repository (e.g. build/${name}); a path outside it can be given at bake time: matrixbake bake -- --set '<target>.contexts.${name}=${dir}'`
            : 'use a path inside the repository, relative to its root',
        ),
      );
    else if (kind === 'oci-layout' && dir === '') report(error(path, `${showString(source)} names no directory`, `write ${OCI_SOURCE}<dir>[:tag]`));
  };

  for (const axis of model.arch ? [model.arch] : []) {
    for (const v of axis.values)
      for (const name of Object.keys(v.contexts))
        report(
          error(
            keyPath('axis', ARCH_AXIS, 'values', v.value, 'contexts', name),
            'an arch value cannot give contexts: every arch of a target reads the same ones',
            'give it to the stage, and pick per-arch files in the Dockerfile with TARGETARCH',
          ),
        );
  }
  for (const axis of model.axes)
    for (const v of axis.values)
      for (const [name, source] of Object.entries(v.contexts)) check(keyPath('axis', axis.name, 'values', v.value, 'contexts', name), name, source);
  for (const stage of model.stages) {
    const linked = new Set(stage.uses.map((u) => u.context));
    const from = new Map<string, string>();
    const add = (name: string, key: string) => {
      if (linked.has(name))
        report(
          error(key, `named context ${showString(name)} is also in stage.${stage.name}.uses`, 'one name is one context: keep the stage link or the source'),
        );
      const other = from.get(name);
      if (other && other.split('.values.')[0] !== key.split('.values.')[0])
        report(error(key, `named context ${showString(name)} of stage ${stage.name} is also given by ${other}`, 'give each context in one place'));
      from.set(name, key);
    };
    for (const [name, source] of Object.entries(stage.contexts)) {
      const key = keyPath('stage', stage.name, 'contexts', name);
      check(key, name, source);
      add(name, key);
    }
    for (const axis of model.axes.filter((a) => stage.axes.includes(a.name))) {
      for (const v of axis.values) for (const name of Object.keys(v.contexts)) add(name, keyPath('axis', axis.name, 'values', v.value, 'contexts', name));
    }
  }
};
