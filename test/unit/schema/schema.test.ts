import TOML from '@iarna/toml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixFileSchema } from '../../../src/model/schema.js';
import { matrixJsonSchema } from '../../../src/schema/json-schema.js';

// matrix/matrix.schema.json is what editors validate matrix files with. It is generated from the
// zod schema, so the two must say the same of every file: the repo's matrices and the bad inputs.

const committed = JSON.parse(readFileSync('matrix/matrix.schema.json', 'utf8'));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(committed);
const tomls = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.toml'))
    .map((f) => join(dir, f));
const parse = (file: string): unknown => {
  try {
    return TOML.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // not TOML: neither schema is asked
  }
};

describe('matrix.schema.json', () => {
  it('is current: `make schema` regenerates it from the zod schema', () => {
    expect(committed).toEqual(matrixJsonSchema());
  });

  it('accepts every matrix in the repository, each naming it on its first line for editors', () => {
    for (const file of [...tomls('matrix'), 'bench/bench.toml', ...tomls('test/fixtures/matrices')]) {
      expect(validate(parse(file)), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      if (!file.startsWith('test/')) expect(readFileSync(file, 'utf8').split('\n')[0], file).toMatch(/^#:schema \S*matrix\.schema\.json$/);
    }
  });

  it('agrees with zod on every case of the bad-input corpus', () => {
    const disagree: string[] = [];
    let asked = 0;
    for (const file of tomls('test/corpus/cases')) {
      const raw = parse(file);
      if (raw === undefined) continue;
      asked++;
      const zod = matrixFileSchema.safeParse(raw).success;
      if (validate(raw) !== zod)
        disagree.push(`${file}: zod ${zod ? 'accepts' : 'refuses'}, the JSON Schema ${zod ? 'refuses' : 'accepts'} (${JSON.stringify(validate.errors?.[0])})`);
    }
    expect(asked).toBeGreaterThan(50);
    expect(disagree).toEqual([]);
  });
});

// What an editor does with it: taplo is the engine of Even Better TOML, and reads the `#:schema`
// line as the editor would.
describe("matrix.schema.json in taplo, the editors' TOML engine", () => {
  const taplo = (...files: string[]) =>
    spawnSync('node_modules/.bin/taplo', ['check', ...files], { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'error,taplo=info' } });

  it('passes every matrix in the repository', () => {
    // One taplo for all: each start costs about a second.
    const files = [...tomls('matrix'), 'bench/bench.toml'];
    const r = taplo(...files);
    expect(r.status, `${files.join(' ')}:\n${r.stderr}`).toBe(0);
    // A file taplo did not read would pass unseen: it says how many it found.
    expect(r.stderr).toMatch(new RegExp(`found files total=${files.length} `));
  });

  it('points at the line of a wrong type and of a misspelt key, as the editor underlines them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mb-taplo-'));
    copyFileSync('matrix/matrix.schema.json', join(dir, 'matrix.schema.json'));
    const text = readFileSync('matrix/demo.toml', 'utf8');
    const broken = text.replace('publish = true', 'publish = "yes"').replace(/^dockerfile = /m, 'dockerfle = ');
    expect(broken).not.toBe(text);
    writeFileSync(join(dir, 'demo.toml'), broken);
    const r = taplo(join(dir, 'demo.toml'));
    expect(r.status).not.toBe(0);
    const lineOf = (needle: string) => broken.split('\n').findIndex((l) => l.startsWith(needle)) + 1;
    expect(r.stderr).toContain(`demo.toml:${lineOf('publish = "yes"')}:11`);
    expect(r.stderr).toMatch(/"yes" is not of type "boolean"/);
    expect(r.stderr).toMatch(/dockerfle/);
  });
});
