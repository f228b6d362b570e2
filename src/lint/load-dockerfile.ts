import { realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { compose, type Composed } from '../model/composed.js';
import type { PlanTarget } from '../plan/plan.js';
import { parseDockerfile, type DockerfileModel } from './dockerfile.js';
import type { Finding } from './finding.js';

/** A target's Dockerfile parsed (a composed one from its parts), or why it cannot be read. */
export async function load(t: PlanTarget, repo: string, composed: Map<string, Composed> = new Map()): Promise<DockerfileModel | Finding> {
  const key = t.dockerfileKey;
  if (t.dockerfileParts) {
    // Read from its parts, not from the composed file (which may not be written yet).
    const texts: { file: string; text: string }[] = [];
    for (const [i, file] of t.dockerfileParts.entries()) {
      const df = await load({ ...t, dockerfile: file, dockerfileKey: `${key}[${i}]`, dockerfileParts: undefined } as PlanTarget, repo);
      if ('message' in df) return df;
      texts.push({ file, text: await readFile(realpathSync(resolve(repo, file)), 'utf8') });
    }
    const c = compose(texts);
    composed.set(t.dockerfile, c);
    return parseDockerfile(c.text);
  }
  const path = resolve(repo, t.dockerfile);
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return { file: t.dockerfile, line: 1, key, message: `Dockerfile "${t.dockerfile}" does not exist`, hint: `paths are relative to the repo root ${repo}` };
  }
  const rel = relative(realpathSync(repo), real);
  if (rel.startsWith(`..${sep}`) || rel === '..') {
    return {
      file: t.dockerfile,
      line: 1,
      key,
      message: `Dockerfile "${t.dockerfile}" resolves to ${real}, outside the repository`,
      hint: 'a symlink may point out of the repo; keep Dockerfiles inside it',
    };
  }
  return parseDockerfile(await readFile(real, 'utf8'));
}
