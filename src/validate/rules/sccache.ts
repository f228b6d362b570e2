import { error } from '../../diagnostics.js';
import { keyPath, showString } from '../../show-value.js';
import type { Rule } from '../rule.js';

// sccache reads SCCACHE_BUCKET as a bucket name and SCCACHE_S3_KEY_PREFIX as the path in it
// (mozilla/sccache docs/S3.md); a URL or a path in the bucket makes every compile miss the cache
// inside the build, where nobody looks.

export const sccacheIsUsable: Rule = ({ file, model, report }) => {
  const bucket = model.sccache?.bucket;
  if (bucket !== undefined) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(bucket)?.[0];
    const [name, ...path] = bucket
      .slice(scheme?.length ?? 0)
      .split('/')
      .filter(Boolean);
    const prefix = path.length > 0 ? ` and key_prefix = ${showString(path.join('/'))}` : '';
    if (scheme)
      report(
        error('sccache.bucket', `bucket ${showString(bucket)} is a URL; sccache wants the bucket's name`, `write bucket = ${showString(name ?? '')}${prefix}`),
      );
    else if (path.length > 0)
      report(
        error(
          'sccache.bucket',
          `bucket ${showString(bucket)} has a path; sccache wants the bucket's name, and the path is key_prefix`,
          `write bucket = ${showString(name ?? '')}${prefix}`,
        ),
      );
  }
  if (model.sccache) {
    for (const [role, name] of Object.entries(file.sccache?.args ?? {})) {
      if (!/^([A-Za-z_][A-Za-z0-9_]*)?$/.test(name))
        report(
          error(
            keyPath('sccache', 'args', role),
            `${showString(name)} is not a build arg name`,
            'letters, digits and _ (e.g. "SCCACHE_BUCKET_NAME"), or "" to pass none',
          ),
        );
    }
    // Two settings under one arg name: the Dockerfile would read one of them as the other.
    const named = Object.entries(file.sccache?.args ?? {}).filter(([, n]) => n !== '');
    for (const [i, [role, name]] of named.entries()) {
      const first = named.findIndex(([, n]) => n === name);
      if (first < i)
        report(
          error(
            keyPath('sccache', 'args', role),
            `sccache.args.${named[first]![0]} and sccache.args.${role} are both ${showString(name)}`,
            'give each setting the arg name the Dockerfile reads it by, or "" to pass it not at all',
          ),
        );
    }
    if (model.sccache.on.trim() === '')
      report(
        error(
          'sccache.on',
          'sccache.on is empty, so the switch arg says nothing when sccache is on',
          'write the value the Dockerfile tests for: on = "true" (Dynamo) or on = "1" (vLLM)',
        ),
      );
    return;
  }
  for (const [name, stage] of Object.entries(file.stage)) {
    if (stage.sccache === true) {
      report(
        error(
          keyPath('stage', name, 'sccache'),
          'sccache = true, but the matrix has no [sccache], so the stage gets no sccache settings',
          'add [sccache] with bucket and region, or remove sccache = true',
        ),
      );
    }
  }
};
