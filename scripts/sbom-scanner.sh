#!/usr/bin/env bash
# Builds the SBOM generator image (scripts/sbom-scanner/) and pushes it to the project's registry,
# unless that tag is already there: BuildKit's default generator, docker/buildkit-syft-scanner,
# lives on Docker Hub, and its Go module is not served by the Go module proxy (403).
# Prints the image reference. Needs: syft (install-toolchain.sh --syft), the services (services.sh up).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/versions.env"
TOOL_BIN=${MATRIXBAKE_TOOL_BIN:-$HOME/.local/share/matrixbake/bin}
REGISTRY_ADDR=${MATRIXBAKE_REGISTRY:-localhost:5000}
IMAGE="$REGISTRY_ADDR/matrixbake/sbom-scanner:syft-$SYFT_VERSION"
BUILDX=${MATRIXBAKE_BUILDX:-$HOME/.docker/cli-plugins/docker-buildx}
log() { echo "sbom-scanner: $*" >&2; }

if curl -fsS -o /dev/null -H 'Accept: application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json' \
  "http://$REGISTRY_ADDR/v2/matrixbake/sbom-scanner/manifests/syft-$SYFT_VERSION" 2>/dev/null; then
  echo "$IMAGE"; exit 0
fi
[ -x "$TOOL_BIN/syft" ] || { log "syft missing: run scripts/install-toolchain.sh --syft"; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/sbom-scanner/Dockerfile" "$here/sbom-scanner/scan" "$TOOL_BIN/syft" "$ctx/"
# busybox for the build platform only: BuildKit runs the generator on the platform it builds on.
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
mkdir -p "$ctx/busybox/$arch"
cp "$here/../dockerfiles/demo/busybox/$arch/busybox" "$ctx/busybox/$arch/busybox"
log "building $IMAGE (linux/$arch)"
"$BUILDX" build --builder "${BUILDX_BUILDER:-matrixbake}" --platform "linux/$arch" --provenance=false \
  --output "type=image,name=$IMAGE,push=true" "$ctx" >&2
echo "$IMAGE"
