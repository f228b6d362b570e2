import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

// A throwaway buildkitd for tests that must know BuildKit's state (cold builds, "cache lost"
// rebuilds): the shared one from scripts/services.sh carries whatever earlier runs left.
// Same configuration as services.sh (scripts/buildkitd.toml).

const TOOL_BIN = process.env.MATRIXBAKE_TOOL_BIN ?? join(homedir(), '.local/share/matrixbake/bin');
const BUILDKITD = join(TOOL_BIN, 'buildkitd');
const BUILDCTL = join(TOOL_BIN, 'buildctl');
const BUILDX = join(homedir(), '.docker/cli-plugins/docker-buildx');
const CONFIG = readFileSync(repoFile('scripts/buildkitd.toml'), 'utf8');
const READY_MS = 30_000;
const KILL_AFTER_MS = 10_000;

export interface Buildkitd {
  /** Name of a buildx `remote` builder on this daemon: pass as --builder or BUILDX_BUILDER ("" with `builder: false`). */
  builder: string;
  /** The daemon's socket path (address `unix://<sock>`). */
  sock: string;
  root: string;
  stop(): Promise<void>;
  /** Stop, delete the root (all cache and images), start again on the same socket and builder. */
  restartFresh(): Promise<void>;
  /** SIGKILL, as the OOM killer or a lost node would: no clean shutdown. */
  kill(): Promise<void>;
  /** Start again on the same root (its cache and history as the last daemon left them). */
  restart(): Promise<void>;
}

/**
 * extraConfig: more buildkitd.toml, e.g. a plain-HTTP registry on another port. flags: more
 * buildkitd flags (`--oci-worker-platform linux/arm64`). builder: false for a daemon that joins a
 * builder of several nodes (test/support/two-node.ts) instead of one of its own.
 */
export async function startBuildkitd(opts: { root?: string; extraConfig?: string; flags?: string[]; builder?: false } = {}): Promise<Buildkitd> {
  if (!existsSync(BUILDKITD)) throw new Error(`${BUILDKITD} missing: run \`bash scripts/install-toolchain.sh --buildkit\``);
  const dir = mkdtempSync(join(socketBase(), 'mbk-'));
  const sock = join(dir, 'buildkitd.sock');
  const root = opts.root ?? join(dir, 'root');
  const config = join(dir, 'buildkitd.toml');
  const log = join(dir, 'buildkitd.log');
  // buildkitd's trace socket defaults to one path per machine (/run/buildkit/otel-grpc.sock), so
  // two daemons started at once would race for it: each gets its own.
  writeFileSync(config, `${CONFIG}\n${opts.extraConfig ?? ''}\n[otel]\n  socketPath = "${join(dir, 'otel-grpc.sock')}"\n`);

  const flags = opts.flags ?? [];
  let daemon = await launch({ config, root, sock, log, flags });
  const builder = opts.builder === false ? '' : `mbtest-${randomBytes(4).toString('hex')}`;
  try {
    if (builder) await execa(BUILDX, ['create', '--name', builder, '--driver', 'remote', `unix://${sock}`], { stdin: 'ignore' });
  } catch (e) {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  return {
    builder,
    sock,
    root,
    async stop() {
      await daemon.stop();
      if (builder) await execa(BUILDX, ['rm', builder], { stdin: 'ignore', reject: false });
      await unmountUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    },
    async restartFresh() {
      await daemon.stop();
      rmSync(root, { recursive: true, force: true });
      // The remote builder only names the socket, so it reconnects to the new daemon.
      daemon = await launch({ config, root, sock, log, flags });
    },
    async kill() {
      await daemon.kill();
    },
    async restart() {
      await daemon.stop();
      daemon = await launch({ config, root, sock, log, flags });
    },
  };
}

interface Running {
  stop(): Promise<void>;
  kill(): Promise<void>;
}

async function launch(p: { config: string; root: string; sock: string; log: string; flags: string[] }): Promise<Running> {
  rmSync(p.sock, { force: true });
  // buildkitd finds runc and its helpers on PATH, as services.sh arranges.
  const child = execa(BUILDKITD, ['--config', p.config, '--root', p.root, '--addr', `unix://${p.sock}`, ...p.flags], {
    stdin: 'ignore',
    stdout: { file: p.log, append: true },
    stderr: { file: p.log, append: true },
    env: { PATH: `${TOOL_BIN}:${process.env.PATH ?? ''}` },
    reject: false,
    forceKillAfterDelay: KILL_AFTER_MS,
  });
  let exited = false;
  const done = child.then(() => {
    exited = true;
  });
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await done;
  };
  const kill = async () => {
    if (!exited) child.kill('SIGKILL');
    await done;
  };

  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (exited) throw new Error(`buildkitd exited at start:\n${tail(p.log)}`);
    const r = await execa(BUILDCTL, ['--addr', `unix://${p.sock}`, 'debug', 'workers'], { stdin: 'ignore', reject: false, timeout: 5_000 });
    if (r.exitCode === 0) return { stop, kill };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`buildkitd did not answer on unix://${p.sock} within ${READY_MS / 1000} s:\n${tail(p.log)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A daemon killed mid-build leaves its running steps' overlay mounts behind (the next daemon does
 * not clean them), and rm cannot remove a mounted directory.
 */
async function unmountUnder(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
  for (const m of mounts.sort((a, b) => b.length - a.length)) await execa('umount', ['-l', m], { stdin: 'ignore', reject: false });
}

/** A file of this repository, found upward from here (tests run this from source, the bench compiled). */
function repoFile(rel: string): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) throw new Error(`${rel} not found above ${import.meta.dirname}`);
  }
}

/** Unix socket paths must fit sun_path (108 bytes); a deep TMPDIR would not leave room. */
function socketBase(): string {
  return join(tmpdir(), 'mbk-XXXXXX', 'buildkitd.sock').length < 100 ? tmpdir() : '/tmp';
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
