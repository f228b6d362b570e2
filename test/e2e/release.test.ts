import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanTarget } from '../../src/plan/plan.js';
import { startBuildkitd } from '../support/buildkitd.js';
import { executedRuns, cliRunner, rawjsonVertices } from '../support/cli-build.js';
import { compileOk } from '../support/compile.js';
import { blob, manifest, type Descriptor } from '../support/registry.js';
import { repoCopy } from '../support/repo-copy.js';
import { requireSbomGenerator } from '../support/sbom.js';
import { requireServices } from '../support/services.js';
import { humanLines } from '../support/build-log.js';

// The levelled CI fan-out of a release (.github/workflows/containers.yml), simulated on one machine:
// every amd64 job, then a wiped buildkitd (other runners), every arm64 job, each job one
// `release <target> --only` pushing by digest; then the merge job, then promotion to release. Real buildkitd, real registry, the offline demo.

const HAVE = requireServices();
const SBOM = HAVE ? requireSbomGenerator() : undefined;
const run = `rel-${Date.now().toString(36)}`;
const STAGING = `localhost:5000/${run}/staging`;
const RELEASE = `localhost:5000/${run}/release`;
const VERSION = 'v1.2.3';
// Fixed inputs, as CI has them for one commit: the demo's build ids and the commit time.
const fixed = (cache: string) => [
  '--sbom-generator',
  SBOM!,
  '--var',
  `CACHE_REGISTRY=localhost:5000/${run}/${cache}`,
  '--var',
  'PUSH_CACHE=true',
  '--var',
  'BUILD_NONCE=commit-0123abc',
  '--var',
  'SOURCE_DATE_EPOCH=1700000000',
  '--var',
  'GIT_SHA=0123abc',
];
const SLOW = 20 * 60_000;

describe.runIf(HAVE && SBOM)('release: per-arch jobs, push by digest, merge, promote', () => {
  let kit: Awaited<ReturnType<typeof startBuildkitd>>;
  let cli: ReturnType<typeof cliRunner>;
  let published: PlanTarget[];
  const digests = mkdtempSync(join(tmpdir(), 'mb-digests-'));
  const jobs: Record<string, string[]> = {};
  const release = (args: string[], cwd?: string) => cli(['release', ...args], { BUILDX_BUILDER: kit.builder }, cwd);

  beforeAll(async () => {
    kit = await startBuildkitd();
    cli = cliRunner();
    published = (await compileOk('matrix/demo.toml')).plan.targets.filter((t) => t.tagSuffix !== undefined && t.arch === undefined);
    // The jobs CI runs: `ci --levels`, level by level; each job a `release <target> --only` of its own.
    const plan = cli(['ci', 'matrix/demo.toml', '--format', 'github', '--levels']);
    const levels = Object.values(JSON.parse(plan.stdout) as Record<string, { include: { target: string; arch: string }[] }>);
    for (const arch of ['amd64', 'arm64']) {
      await kit.restartFresh(); // each arch on runners of its own
      for (const level of levels) {
        for (const job of level.include.filter((j) => j.arch === arch)) {
          const r = release([
            'matrix/demo.toml',
            job.target,
            '--phase',
            'build',
            '--only',
            '--registry',
            STAGING,
            '--version',
            VERSION,
            '--digests',
            digests,
            ...fixed('cache'),
            '--',
            '--progress=rawjson',
          ]);
          if (r.status !== 0) throw new Error(`job ${job.target} failed:\n${humanLines(r.stderr).slice(-30).join('\n')}`);
          Object.assign(jobs, runsPerJob(r.stderr));
        }
      }
    }
    const merge = release([
      'matrix/demo.toml',
      'default',
      '--phase',
      'merge',
      '--registry',
      STAGING,
      '--version',
      VERSION,
      '--digests',
      digests,
      ...fixed('cache'),
    ]);
    if (merge.status !== 0) throw new Error(`merge failed:\n${merge.stdout}\n${merge.stderr}`);
  }, SLOW);
  afterAll(async () => kit?.stop());

  it('pushes one image per published target and arch by digest', () => {
    const pushed = readdirSync(digests).map((f) => JSON.parse(readFileSync(join(digests, f), 'utf8')) as { target: string; digest: string; repo: string });
    expect(pushed.map((p) => p.target).sort()).toEqual(published.flatMap((t) => [`${t.name}-amd64`, `${t.name}-arm64`]).sort());
    expect(pushed.every((p) => /^sha256:[0-9a-f]{64}$/.test(p.digest) && p.repo === `${STAGING}/dynamo`)).toBe(true);
  });

  it('merges every published tag into a manifest list of exactly linux/amd64 and linux/arm64, with attestations', async () => {
    for (const t of published) {
      for (const tag of [`${VERSION}-${t.tagSuffix}`, `latest-${t.tagSuffix}`]) {
        const m = (await manifest(`${run}/staging/dynamo`, tag))!;
        expect(m, tag).toBeDefined();
        const ds = m.body.manifests as Descriptor[];
        const images = ds.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest');
        const attestations = ds.filter((d) => d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest');
        expect(images.map((d) => `${d.platform!.os}/${d.platform!.architecture}`).sort(), tag).toEqual(['linux/amd64', 'linux/arm64']);
        expect(attestations.map((d) => d.annotations!['vnd.docker.reference.digest']).sort()).toEqual(images.map((d) => d.digest).sort());
        for (const a of attestations) {
          const layers = ((await manifest(`${run}/staging/dynamo`, a.digest))!.body.layers as Descriptor[]).map(
            (l) => l.annotations?.['in-toto.io/predicate-type'],
          );
          expect(layers.sort(), tag).toEqual(['https://slsa.dev/provenance/v1', 'https://spdx.dev/Document']);
        }
        expect(m.body.annotations?.['org.opencontainers.image.version']).toBe(VERSION);
        expect(m.body.annotations?.['org.opencontainers.image.revision']).toBe('0123abc');
      }
    }
  });

  it('attaches an SPDX SBOM to each arch of each image, listing the framework the image ships', async () => {
    for (const t of published) {
      const index = (await manifest(`${run}/staging/dynamo`, `${VERSION}-${t.tagSuffix}`))!.body.manifests as Descriptor[];
      for (const arch of ['amd64', 'arm64']) {
        const image = index.find((d) => d.platform?.architecture === arch)!;
        const att = index.find((d) => d.annotations?.['vnd.docker.reference.digest'] === image.digest)!;
        const layer = ((await manifest(`${run}/staging/dynamo`, att.digest))!.body.layers as Descriptor[]).find(
          (l) => l.annotations?.['in-toto.io/predicate-type'] === 'https://spdx.dev/Document',
        )!;
        const statement = JSON.parse((await blob(`${run}/staging/dynamo`, layer.digest)).toString('utf8'));
        expect(statement.subject[0].digest.sha256, `${t.name} ${arch}`).toBe(image.digest.replace('sha256:', ''));
        const purls: string[] = statement.predicate.packages.flatMap((p: { externalRefs?: { referenceLocator: string }[] }) =>
          (p.externalRefs ?? []).map((r) => r.referenceLocator),
        );
        expect(purls, `${t.name} ${arch}`).toContainEqual(expect.stringMatching(new RegExp(`^pkg:pypi/${t.values.framework}@`)));
        expect(purls).toContainEqual(expect.stringMatching(/^pkg:generic\/busybox@/));
      }
    }
  });

  it('builds no shared stage in more than one job: each base, wheel and backend RUN ran in its own job only', () => {
    const ranIn = (stage: string) => Object.entries(jobs).filter(([, runs]) => runs.some((n) => n.includes(`stage=${stage} `)));
    // 2 CUDA x 2 arch bases and wheels; 5 backends x 2 arch.
    expect(
      ranIn('base')
        .map(([job]) => job)
        .sort(),
    ).toEqual(['base-cuda12-amd64', 'base-cuda12-arm64', 'base-cuda13-amd64', 'base-cuda13-arm64']);
    expect(
      ranIn('wheel')
        .map(([job]) => job)
        .sort(),
    ).toEqual(['wheel-cuda12-amd64', 'wheel-cuda12-arm64', 'wheel-cuda13-amd64', 'wheel-cuda13-arm64']);
    expect(ranIn('backend')).toHaveLength(10);
    for (const [job, runs] of ranIn('backend')) expect(job.startsWith('backend-'), `${job} ran ${runs.join(' | ')}`).toBe(true);
    // The release image of a runtime is the cached link build pushed again, not a second build.
    expect(Object.keys(jobs).filter((j) => j.includes('(release image') && jobs[j]!.length > 0)).toEqual([]);
  });

  it(
    'promotes by digest: the release tag is the staged index, not a rebuild',
    async () => {
      const r = cli(['promote', 'matrix/demo.toml', 'default', '--from', STAGING, '--registry', RELEASE, '--version', VERSION], {
        BUILDX_BUILDER: kit.builder,
      });
      expect(r.status, r.stderr).toBe(0);
      for (const t of published) {
        const staged = (await manifest(`${run}/staging/dynamo`, `${VERSION}-${t.tagSuffix}`))!.digest;
        expect((await manifest(`${run}/release/dynamo`, `${VERSION}-${t.tagSuffix}`))!.digest, t.name).toBe(staged);
        expect((await manifest(`${run}/release/dynamo`, `latest-${t.tagSuffix}`))!.digest).toBe(staged);
      }
    },
    SLOW,
  );

  it(
    'builds the same image digests twice from clean state (no cache shared)',
    async () => {
      await kit.restartFresh();
      const again = mkdtempSync(join(tmpdir(), 'mb-digests-'));
      const r = release([
        'matrix/demo.toml',
        'vllm-runtime',
        '--phase',
        'build',
        '--arch',
        'amd64',
        '--registry',
        `localhost:5000/${run}/again`,
        '--version',
        VERSION,
        '--digests',
        again,
        ...fixed('cache-again'),
      ]);
      expect(r.status, humanLines(r.stderr).slice(-20).join('\n')).toBe(0);
      for (const t of published.filter((x) => x.stage === 'runtime' && x.values.framework === 'vllm')) {
        const first = await platformDigest(`${run}/staging/dynamo`, `${VERSION}-${t.tagSuffix}`, 'amd64');
        const second = await platformDigest(`${run}/again/dynamo`, JSON.parse(readFileSync(join(again, `${t.name}-amd64.json`), 'utf8')).digest, 'amd64');
        expect(second, t.name).toBe(first);
      }
    },
    SLOW,
  );

  it(
    'a failed job stops the merge of its own image only, and says which',
    () => {
      const repo = repoCopy(['matrix/demo.toml', 'dockerfiles/demo', '.dockerignore']);
      repo.edit('dockerfiles/demo/Dockerfile.framework', (t) =>
        t.replace(
          'echo "$FRAMEWORK==$FRAMEWORK_REF" > /opt/demo/venv/requirements.txt',
          'echo "$FRAMEWORK==$FRAMEWORK_REF" > /opt/demo/venv/requirements.txt && test "$FRAMEWORK" != sglang',
        ),
      );
      const r = release(
        [repo.file('matrix/demo.toml'), 'cuda12', '--registry', `localhost:5000/${run}/broken`, '--version', VERSION, ...fixed('cache-broken')],
        repo.root,
      );
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/^runtime-vllm-cuda12 {2}localhost:5000\/.*\/broken\/dynamo:v1\.2\.3-vllm-runtime-cuda12 /m);
      expect(r.stdout).toMatch(/^matrixbake: skipping runtime-sglang-cuda12-amd64: it links .*backend-sglang-cuda12-amd64.*, which did not build$/m);
      expect(r.stderr).toMatch(/release incomplete: .*backend-sglang-cuda12-amd64: docker buildx bake exited with 1/);
      expect(r.stderr).toMatch(/runtime-sglang-cuda12: not merged: no image from runtime-sglang-cuda12-amd64/);
      expect(r.stderr).not.toMatch(/runtime-vllm-cuda12: not merged/);
    },
    SLOW,
  );
});

/** Executed RUN names per job, from the release's `matrixbake: job <name>` lines and buildx's rawjson. */
function runsPerJob(stderr: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let job = '';
  let lines: string[] = [];
  const flush = () => {
    if (job) out[job] = executedRuns(rawjsonVertices(lines.join('\n'))).map((v) => v.name);
  };
  for (const line of stderr.split('\n')) {
    const m = /^matrixbake: job (\S+)( \(level \d+, release image by digest\))?/.exec(line);
    if (m) {
      flush();
      job = m[2] ? `${m[1]} (release image)` : m[1]!;
      lines = [];
    } else lines.push(line);
  }
  flush();
  return out;
}

async function platformDigest(repo: string, ref: string, arch: string): Promise<string> {
  const m = (await manifest(repo, ref))!;
  return (m.body.manifests as Descriptor[]).find((d) => d.platform?.architecture === arch)!.digest;
}
