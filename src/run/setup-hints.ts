import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// What to run when buildx, a builder or buildkitd is missing depends on how matrixbake got here.
// Its source repository has scripts that set them up (`make setup`, scripts/services.sh); a user
// who installed the npm package has none of them, only docker buildx's own commands.

/** `source`: run from a checkout of matrixbake's repository; `package`: from an installed package. */
export type Installed = 'source' | 'package';

export interface SetupHints {
  /** buildx is not there. */
  installBuildx: string;
  /** buildx found no Docker daemon, and BUILDX_BUILDER names no other builder. */
  startBuilder: string;
  /** BUILDX_BUILDER (or --builder) names a builder buildx does not know. */
  unknownBuilder: (name: string) => string;
  /** buildkitd went away during a bake. */
  restartBuildkitd: string;
}

const SOURCE: SetupHints = {
  installBuildx: 'install the buildx plugin (this repository: `make setup`, scripts/install-toolchain.sh)',
  startBuilder: 'run `bash scripts/services.sh up` (buildkitd and the builder "matrixbake"), then set BUILDX_BUILDER=matrixbake; the Makefile sets it',
  unknownBuilder: () => '`docker buildx ls` lists builders; `bash scripts/services.sh up` creates "matrixbake"',
  restartBuildkitd: 'start it again (this repository: `bash scripts/services.sh up`)',
};

const PACKAGE: SetupHints = {
  installBuildx:
    'install Docker with its buildx plugin, or the buildx binary as ~/.docker/cli-plugins/docker-buildx (https://github.com/docker/buildx#installing); `docker buildx version` checks it',
  startBuilder:
    'start Docker, or create a builder on a buildkitd of your own (`docker buildx create --name matrixbake --driver remote tcp://<host>:<port>`) and set BUILDX_BUILDER=matrixbake',
  unknownBuilder: (name) =>
    `\`docker buildx ls\` lists builders; \`docker buildx create --name ${name} --driver docker-container --bootstrap\` creates one on Docker`,
  restartBuildkitd: 'start it again (a builder buildx runs itself restarts with `docker buildx inspect --bootstrap`)',
};

export function setupHints(installed: Installed): SetupHints {
  return installed === 'source' ? SOURCE : PACKAGE;
}

let installed: Installed | undefined;

/**
 * Where this module runs from: the source repository when the matrixbake package.json above it
 * has scripts/services.sh beside it, which the npm package never ships (package.json `files`).
 * Found upward from here: dist/run/ when built or installed, src/run/ under vitest, and the tests'
 * private builds under test/.tmp.
 */
export function installedFrom(): Installed {
  if (installed !== undefined) return installed;
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (isMatrixbakePackage(join(dir, 'package.json'))) return (installed = existsSync(join(dir, 'scripts', 'services.sh')) ? 'source' : 'package');
    if (dirname(dir) === dir) return (installed = 'package');
  }
}

function isMatrixbakePackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'matrixbake';
  } catch {
    return false;
  }
}

/** The hints for how this matrixbake was installed. */
export const hintsHere = (): SetupHints => setupHints(installedFrom());
