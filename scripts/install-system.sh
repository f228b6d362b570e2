#!/usr/bin/env bash
# Debian packages the real builds need (docs/design.md, "The toolchain"):
#   runc              buildkitd's OCI worker
#   docker-registry   a registry on localhost:5000 for pushes and registry cache
#   qemu-user-static  arm64 builds on an amd64 machine, through binfmt_misc
#   busybox-static    the offline demo's only userland, for amd64 and arm64
# Idempotent: installs only what is missing. The arm64 busybox cannot be installed beside the
# amd64 one (same path, not Multi-Arch: same), so its .deb is downloaded and unpacked instead.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Inside the repo (git-ignored) because the demo's Dockerfiles COPY it from the build context.
BUSYBOX_DIR=$repo/dockerfiles/demo/busybox
log() { echo "install-system: $*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v runc >/dev/null || missing+=(runc)
command -v docker-registry >/dev/null || missing+=(docker-registry)
[ -e /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# busybox per arch, named by Docker's arch names (TARGETARCH), for the demo's build context.
mkdir -p "$BUSYBOX_DIR/amd64" "$BUSYBOX_DIR/arm64"
install -m 0755 /bin/busybox "$BUSYBOX_DIR/amd64/busybox"
if [ ! -x "$BUSYBOX_DIR/arm64/busybox" ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || { log "dpkg --add-architecture arm64"; as_root dpkg --add-architecture arm64; as_root apt-get update -qq; }
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && chmod 0777 . && apt-get download -qq busybox-static:arm64)
  dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/root"
  install -m 0755 "$tmp/root/bin/busybox" "$BUSYBOX_DIR/arm64/busybox"
fi
log "runc $(runc --version | head -1 | awk '{print $3}'), registry, qemu-aarch64-static, busybox amd64+arm64 in $BUSYBOX_DIR"
