import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { compose, type Composed } from '../model/composed.js';
import type { Plan } from '../plan/plan.js';
import { UsageError } from '../errors.js';
import { writeAtomic } from './write-atomic.js';

// The composed Dockerfiles a plan's targets read (a `dockerfile` list), made from their parts on
// disk: written before buildx runs (compile -o, bake, release, check), compared by compile --check.

export interface ComposedFile {
  /** Repo-relative, as the bake file names it. */
  path: string;
  composed: Composed;
}

export async function composedFiles(plan: Plan, repo: string): Promise<ComposedFile[]> {
  const byPath = new Map<string, string[]>();
  for (const t of plan.targets) if (t.dockerfileParts) byPath.set(t.dockerfile, t.dockerfileParts);
  const out: ComposedFile[] = [];
  for (const [path, parts] of byPath) {
    const texts = await Promise.all(
      parts.map(async (file) => {
        try {
          return { file, text: await readFile(resolve(repo, file), 'utf8') };
        } catch {
          throw new UsageError(`Dockerfile "${file}", a part of the composed ${path}, does not exist (paths are relative to the repo root ${repo})`);
        }
      }),
    );
    out.push({ path, composed: compose(texts) });
  }
  return out;
}

/** Writes every composed Dockerfile (atomically) and returns their paths. */
export async function writeComposed(plan: Plan, repo: string): Promise<string[]> {
  const files = await composedFiles(plan, repo);
  for (const f of files) await writeAtomic(resolve(repo, f.path), f.composed.text);
  return files.map((f) => f.path);
}

/** The composed Dockerfiles that are missing or differ from their parts. */
export async function staleComposed(plan: Plan, repo: string): Promise<string[]> {
  const stale: string[] = [];
  for (const f of await composedFiles(plan, repo)) {
    const current = await readFile(resolve(repo, f.path), 'utf8').catch(() => undefined);
    if (current !== f.composed.text) stale.push(f.path);
  }
  return stale;
}
