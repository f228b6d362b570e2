import { closest } from '../diagnostics.js';

// What other tools call the arches a matrix writes as Go/OCI names: uname -m, Debian, Rust, Node.
const ALIASES: Record<string, string> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  amd: 'amd64',
  intel: 'amd64',
  aarch64: 'arm64',
  arm64v8: 'arm64',
  'arm64/v8': 'arm64',
  armv8: 'arm64',
  arm: 'arm/v7',
  armhf: 'arm/v7',
  armv7: 'arm/v7',
  armv7l: 'arm/v7',
  arm32v7: 'arm/v7',
  armel: 'arm/v6',
  armv6: 'arm/v6',
  armv6l: 'arm/v6',
  arm32v6: 'arm/v6',
  i386: '386',
  i686: '386',
  x86: '386',
  ppc64el: 'ppc64le',
  riscv: 'riscv64',
};

/** The arch in `allowed` that `written` most likely means: `linux/amd64`, `x86_64`, `AMD64` -> amd64. */
export function guessArch(written: string, allowed: string[]): string | undefined {
  const plain = written
    .trim()
    .toLowerCase()
    .replace(/^linux\//, '');
  if (allowed.includes(plain)) return plain;
  const alias = Object.hasOwn(ALIASES, plain) ? ALIASES[plain] : undefined;
  if (alias !== undefined && allowed.includes(alias)) return alias;
  return closest(written, allowed);
}
