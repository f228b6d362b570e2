#!/usr/bin/env bash
# The services real builds need, started by the project itself (no Docker daemon here):
#   binfmt     arm64 emulation (qemu-aarch64-static registered in binfmt_misc)
#   registry   Debian's docker-registry on 127.0.0.1:5000 (pushes and registry cache)
#   buildkitd  OCI worker, state under $MATRIXBAKE_STATE, socket $MATRIXBAKE_STATE/buildkitd.sock
#   builder    a buildx `remote` builder named `matrixbake` pointing at that socket
# usage: scripts/services.sh up|down|status|env
# `up` reuses whatever already runs; `env` prints the variables that select the builder.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOL_BIN=${MATRIXBAKE_TOOL_BIN:-$HOME/.local/share/matrixbake/bin}
STATE=${MATRIXBAKE_STATE:-$HOME/.local/share/matrixbake/state}
SOCK=$STATE/buildkitd.sock
BUILDER=${MATRIXBAKE_BUILDER:-matrixbake}
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

buildkitd_up() {
  if "$TOOL_BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1; then return 0; fi
  [ -x "$TOOL_BIN/buildkitd" ] || die "buildkitd missing: run scripts/install-toolchain.sh --buildkit"
  mkdir -p "$STATE/buildkit"
  cp "$here/buildkitd.toml" "$STATE/buildkitd.toml"
  PATH="$TOOL_BIN:$PATH" setsid "$TOOL_BIN/buildkitd" --config "$STATE/buildkitd.toml" --root "$STATE/buildkit" \
    --addr "unix://$SOCK" >"$STATE/buildkitd.log" 2>&1 < /dev/null &
  echo $! > "$STATE/buildkitd.pid"
  wait_for buildkitd "$TOOL_BIN/buildctl" --addr "unix://$SOCK" debug workers
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
  down) stop buildkitd; stop registry; log "stopped" ;;
  status)
    curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1 && echo "registry: up ($REGISTRY_ADDR)" || echo "registry: down"
    "$TOOL_BIN/buildctl" --addr "unix://$SOCK" debug workers >/dev/null 2>&1 && echo "buildkitd: up ($SOCK)" || echo "buildkitd: down"
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && echo "binfmt: arm64 registered" || echo "binfmt: arm64 missing" ;;
  env) echo "BUILDX_BUILDER=$BUILDER"; echo "MATRIXBAKE_BUILDKITD_SOCK=$SOCK" ;;
  *) echo "usage: scripts/services.sh up|down|status|env" >&2; exit 2 ;;
esac
