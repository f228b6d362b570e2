#!/usr/bin/env bash
# Installs the real toolchain matrixbake drives, from the Go module proxy at pinned versions:
#   buildx   -> ~/.docker/cli-plugins/docker-buildx   (always)
#   buildkit -> buildkitd + buildctl in $TOOL_BIN     (with --buildkit)
#   actionlint -> $TOOL_BIN/actionlint                 (with --actionlint: lints .github/workflows)
#   syft     -> $TOOL_BIN/syft                         (with --syft: the SBOM generator, scripts/sbom-scanner.sh)
# Idempotent: a tool already at the pinned version is not rebuilt. Go's module and build caches
# (GOPATH, GOCACHE) are left where Go keeps them, so later runs on the same machine are fast.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

want_buildkit=0
want_actionlint=0
want_syft=0
for a in "$@"; do
  case "$a" in
    --buildkit) want_buildkit=1 ;;
    --actionlint) want_actionlint=1 ;;
    --syft) want_syft=1 ;;
    -h|--help) echo "usage: scripts/install-toolchain.sh [--buildkit] [--actionlint] [--syft]"; exit 0 ;;
    *) echo "install-toolchain: unknown option $a" >&2; exit 2 ;;
  esac
done

TOOL_BIN=${MATRIXBAKE_TOOL_BIN:-$HOME/.local/share/matrixbake/bin}
PLUGIN_DIR=$HOME/.docker/cli-plugins
mkdir -p "$TOOL_BIN" "$PLUGIN_DIR"

log() { echo "install-toolchain: $*" >&2; }

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    for d in /usr/local/go/bin /usr/lib/go/bin; do [ -x "$d/go" ] && export PATH="$d:$PATH"; done
  fi
  command -v go >/dev/null 2>&1 || { log "Go is required (https://go.dev/dl or apt-get install golang)"; exit 1; }
}

# go install into a private GOBIN so a user's own GOBIN is never overwritten.
go_install() {
  need_go
  log "go install $*"
  GOBIN="$TOOL_BIN" GOFLAGS="${GOFLAGS:-} -buildvcs=false" CGO_ENABLED=0 go install "$@"
}

buildx_version() { "$PLUGIN_DIR/docker-buildx" version 2>/dev/null | awk '{print $2}'; }

if [ "$(buildx_version)" != "$BUILDX_VERSION" ]; then
  # go install does not stamp a version; buildx's release build sets it with -X, and so do we,
  # so that `buildx version` (and this script's idempotence check) reports the pin.
  go_install -ldflags "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx" \
    "github.com/docker/buildx/cmd/buildx@$BUILDX_VERSION"
  install -m 0755 "$TOOL_BIN/buildx" "$PLUGIN_DIR/docker-buildx"
fi
log "buildx $(buildx_version) at $PLUGIN_DIR/docker-buildx"

if [ "$want_buildkit" = 1 ]; then
  have=$("$TOOL_BIN/buildkitd" --version 2>/dev/null | awk '{print $3}' || true)
  if [ "$have" != "$BUILDKIT_VERSION" ] || [ ! -x "$TOOL_BIN/buildctl" ]; then
    # `go install buildkitd@version` is refused: buildkit's go.mod has exclude directives, which
    # only a main module may carry. So fetch the module from the proxy and build it as the main
    # module, in place in the (read-only) module cache; its go.mod and go.sum pin every dependency.
    need_go
    log "go build buildkitd, buildctl @$BUILDKIT_VERSION"
    dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/moby/buildkit@$BUILDKIT_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { log "could not download github.com/moby/buildkit@$BUILDKIT_VERSION"; exit 1; }
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" go build \
        -ldflags "-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION" \
        -o "$TOOL_BIN/" ./cmd/buildkitd ./cmd/buildctl)
  fi
  log "buildkitd $("$TOOL_BIN/buildkitd" --version | awk '{print $3}') at $TOOL_BIN/buildkitd"
fi

if [ "$want_actionlint" = 1 ]; then
  # `go install pkg@version` stamps the module version into the binary, and actionlint prints it
  # as the first line of `-version`, so no -ldflags are needed for the idempotence check.
  actionlint_version() { "$TOOL_BIN/actionlint" -version 2>/dev/null | head -n 1 || true; }
  if [ "$(actionlint_version)" != "$ACTIONLINT_VERSION" ]; then
    go_install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
  fi
  log "actionlint $(actionlint_version) at $TOOL_BIN/actionlint"
fi

if [ "$want_syft" = 1 ]; then
  # Stamped like syft's release build, so `syft version` (and this check) reports the pin.
  syft_version() { "$TOOL_BIN/syft" version 2>/dev/null | awk '$1 == "Version:" {print $2}' || true; }
  if [ "$(syft_version)" != "${SYFT_VERSION#v}" ]; then
    go_install -trimpath -ldflags "-s -w -X main.version=${SYFT_VERSION#v}" "github.com/anchore/syft/cmd/syft@$SYFT_VERSION"
  fi
  log "syft $(syft_version) at $TOOL_BIN/syft"
fi
