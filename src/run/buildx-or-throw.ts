import { BuildFailed } from '../errors.js';
import { buildxCommand, type Command } from './exec.js';

/** buildx, or the one error that says how to get it. */
export async function buildxOrThrow(): Promise<Command> {
  const b = await buildxCommand();
  if (!b) throw new BuildFailed('docker buildx is not installed', 'install the buildx plugin (this repository: `make setup`, scripts/install-toolchain.sh)');
  return b;
}
