import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startBuildkitd, type Buildkitd } from './buildkitd.js';

// A buildx builder of two nodes on private daemons, as `scripts/services.sh up-two-node` makes
// one: a buildkitd whose worker is linux/amd64 and one whose worker is linux/arm64, appended to one
// `remote` builder with `--platform` pinning each node, so buildx sends each platform of a target
// to its own node (build/resolver/driver.go). Both arches still run on this machine: the arm64
// node's steps go through QEMU, as on the one-node builder.

const BUILDX = join(homedir(), '.docker/cli-plugins/docker-buildx');

export interface TwoNode {
  /** The builder: pass as BUILDX_BUILDER. */
  builder: string;
  /** Node name -> its daemon: `${builder}-amd64`, `${builder}-arm64`. */
  nodes: Record<'amd64' | 'arm64', { name: string; kit: Buildkitd }>;
  stop(): Promise<void>;
}

export async function startTwoNode(): Promise<TwoNode> {
  const builder = `mbtwo-${randomBytes(4).toString('hex')}`;
  const started: Buildkitd[] = [];
  try {
    for (const arch of ['amd64', 'arm64'] as const) {
      const kit = await startBuildkitd({ flags: ['--oci-worker-platform', `linux/${arch}`], builder: false });
      started.push(kit);
      await execa(
        BUILDX,
        [
          'create',
          '--name',
          builder,
          ...(arch === 'arm64' ? ['--append'] : []),
          '--node',
          `${builder}-${arch}`,
          '--driver',
          'remote',
          '--platform',
          `linux/${arch}`,
          `unix://${kit.sock}`,
        ],
        { stdin: 'ignore' },
      );
    }
  } catch (e) {
    await Promise.all(started.map((k) => k.stop()));
    await execa(BUILDX, ['rm', builder], { stdin: 'ignore', reject: false });
    throw e;
  }
  const [amd64, arm64] = started as [Buildkitd, Buildkitd];
  return {
    builder,
    nodes: { amd64: { name: `${builder}-amd64`, kit: amd64 }, arm64: { name: `${builder}-arm64`, kit: arm64 } },
    async stop() {
      await Promise.all(started.map((k) => k.stop()));
      await execa(BUILDX, ['rm', builder], { stdin: 'ignore', reject: false });
    },
  };
}
