#!/usr/bin/env bash
# The services real builds need, started by the project itself (no Docker daemon here):
#   binfmt     arm64 emulation (qemu-aarch64-static registered in binfmt_misc)
#   registry   Debian's docker-registry on 127.0.0.1:5000 (pushes and registry cache)
#   buildkitd  OCI worker, state under $MATRIXBAKE_STATE, socket $MATRIXBAKE_STATE/buildkitd.sock
#   builder    a buildx `remote` builder named `matrixbake` pointing at that socket
# and, opt-in (`up-two-node`), a two-node builder `matrixbake-two` (docs/builders.md): two more
# buildkitds under $STATE/two-node, one for linux/amd64 and one for linux/arm64, so each arch
# builds on its own node. The default builder and its daemon are left as they are.
# usage: scripts/services.sh up|down|status|env|up-two-node|down-two-node
# `up` reuses whatever already runs; `env` prints the variables that select the builder.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL_BIN=${MATRIXBAKE_TOOL_BIN:-$HOME/.local/share/matrixbake/bin}
STATE=${MATRIXBAKE_STATE:-$HOME/.local/share/matrixbake/state}
SOCK=$STATE/buildkitd.sock
BUILDER=${MATRIXBAKE_BUILDER:-matrixbake}
TWO_BUILDER=${MATRIXBAKE_TWO_NODE_BUILDER:-matrixbake-two}
TWO=$STATE/two-node
REGISTRY_ADDR=127.0.0.1:5000
BUILDX=$HOME/.docker/cli-plugins/docker-buildx
log() { echo "services: $*" >&2; }
die() { log "$*"; exit 1; }

alive() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

# Poll until a command succeeds; the services take a moment to listen.
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up; see $STATE/$what.log"
}

binfmt_up() {
  local reg=/proc/sys/fs/binfmt_misc
  [ -e "$reg/register" ] || mount -t binfmt_misc binfmt_misc "$reg" 2>/dev/null || true
  [ -e "$reg/register" ] || { log "binfmt_misc unavailable: arm64 builds will fail"; return 0; }
  if [ ! -e "$reg/qemu-aarch64" ]; then
    local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
    [ -f "$conf" ] || die "$conf missing: run scripts/install-system.sh"
    # The F flag opens the interpreter now, so it works inside buildkitd's containers too.
    grep -v '^#' "$conf" > "$reg/register"
  fi
}

registry_up() {
  if curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then return 0; fi
  mkdir -p "$STATE/registry"
  cat > "$STATE/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YML
  setsid docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 < /dev/null &
  echo $! > "$STATE/registry.pid"
  wait_for registry curl -fsS "http://$REGISTRY_ADDR/v2/"
}

# buildkitd NAME SOCK ROOT [FLAGS...]: one daemon, its pid and log under $STATE as NAME.pid/.log.
buildkitd_start() {
  local name=$1 sock=$2 root=$3; shift 3
  if "$TOOL_BIN/buildctl" --addr "unix://$sock" debug workers >/dev/null 2>&1; then return 0; fi
  [ -x "$TOOL_BIN/buildkitd" ] || die "buildkitd missing: run scripts/install-toolchain.sh --buildkit"
  mkdir -p "$root" "$(dirname "$STATE/$name")"
  PATH="$TOOL_BIN:$PATH" setsid "$TOOL_BIN/buildkitd" --root "$root" --addr "unix://$sock" "$@" \
    >"$STATE/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
  wait_for "$name" "$TOOL_BIN/buildctl" --addr "unix://$sock" debug workers
}

buildkitd_up() {
  cp "$here/buildkitd.toml" "$STATE/buildkitd.toml"
  buildkitd_start buildkitd "$SOCK" "$STATE/buildkit" --config "$STATE/buildkitd.toml"
}

# The two-node builder's daemons. Each has its own trace socket: two daemons on the default one
# (/run/buildkit/otel-grpc.sock) race for it. --oci-worker-platform makes the node's arch its
# worker's first platform, but BuildKit still lists every arch binfmt runs (both nodes emulate
# arm64 here): buildx's --platform below is what sends each arch to its node.
two_node_up() {
  local arch
  for arch in amd64 arm64; do
    mkdir -p "$TWO/$arch"
    { cat "$here/buildkitd.toml"; printf '[otel]\n  socketPath = "%s"\n' "$TWO/$arch/otel-grpc.sock"; } > "$TWO/$arch/buildkitd.toml"
    buildkitd_start "two-node/$arch/buildkitd" "$TWO/$arch.sock" "$TWO/$arch/root" \
      --config "$TWO/$arch/buildkitd.toml" --oci-worker-platform "linux/$arch"
  done
  if "$BUILDX" inspect "$TWO_BUILDER" >/dev/null 2>&1; then return 0; fi
  # bake sends each platform of a target to the node whose --platform lists it, without asking
  # the daemons (build/resolver/driver.go).
  "$BUILDX" create --name "$TWO_BUILDER" --node "$TWO_BUILDER-amd64" --driver remote --platform linux/amd64 "unix://$TWO/amd64.sock" >/dev/null
  "$BUILDX" create --name "$TWO_BUILDER" --append --node "$TWO_BUILDER-arm64" --driver remote --platform linux/arm64 "unix://$TWO/arm64.sock" >/dev/null
}

builder_up() {
  if "$BUILDX" inspect "$BUILDER" >/dev/null 2>&1; then return 0; fi
  "$BUILDX" create --name "$BUILDER" --driver remote "unix://$SOCK" >/dev/null
}

stop() {
  if alive "$1"; then kill "$(cat "$STATE/$1.pid")"; for _ in $(seq 1 50); do alive "$1" || break; sleep 0.1; done; fi
  rm -f "$STATE/$1.pid"
}

case "${1:-}" in
  up)
    mkdir -p "$STATE"
    binfmt_up; registry_up; buildkitd_up; builder_up
    log "registry http://$REGISTRY_ADDR, buildkitd unix://$SOCK, buildx builder '$BUILDER'" ;;
  up-two-node)
    mkdir -p "$STATE"
    binfmt_up; registry_up; two_node_up
    log "registry http://$REGISTRY_ADDR, buildx builder '$TWO_BUILDER': node $TWO_BUILDER-amd64 (linux/amd64, unix://$TWO/amd64.sock), node $TWO_BUILDER-arm64 (linux/arm64, unix://$TWO/arm64.sock)" ;;
  down-two-node) stop two-node/amd64/buildkitd; stop two-node/arm64/buildkitd; log "two-node daemons stopped" ;;
  down) stop buildkitd; stop two-node/amd64/buildkitd; stop two-node/arm64/buildkitd; stop registry; log "stopped" ;;
  status)
    curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && echo "registry: up ($REGISTRY_ADDR)" || echo "registry: down"
    "$TOOL_BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1 && echo "buildkitd: up ($SOCK)" || echo "buildkitd: down"
    for arch in amd64 arm64; do
      [ -S "$TWO/$arch.sock" ] || continue
      "$TOOL_BIN/buildctl" --addr "unix://$TWO/$arch.sock" debug workers >/dev/null 2>&1 && echo "two-node $arch: up ($TWO/$arch.sock)" || echo "two-node $arch: down"
    done
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo "binfmt: arm64 registered" || echo "binfmt: arm64 missing" ;;
  env) echo "BUILDX_BUILDER=$BUILDER"; echo "MATRIXBAKE_BUILDKITD_SOCK=$SOCK" ;;
  *) echo "usage: scripts/services.sh up|down|status|env|up-two-node|down-two-node" >&2; exit 2 ;;
esac
