#!/usr/bin/env bash
# Builds a Terraform provider from its release source in shared/third-party into an output
# binary, for scripts/go-tool.sh (tools/<name>/build.sh calls it):
#
#   scripts/build-third-party-provider.sh <name> <output binary>
#
# tools/<name>/tool.conf sets PROVIDER_VERSION, and VERSION_VAR when the provider reports its
# version from a variable the release sets with -X (hashicorp/kubernetes: main.Version).
# The source directory is read-only: -mod=readonly writes nothing there (go.sum is complete).
set -euo pipefail
name=${1:?usage: build-third-party-provider.sh <name> <output binary>}
out=${2:?usage: build-third-party-provider.sh <name> <output binary>}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1090
source "$root/tools/$name/tool.conf"
: "${PROVIDER_VERSION:?tools/$name/tool.conf must set PROVIDER_VERSION}"
src="$root/$THIRD_PARTY/$name-$PROVIDER_VERSION"
[ -f "$src/go.mod" ] || {
  echo "tools/$name: no provider source at $(realpath -m "$src")" >&2
  echo "  (shared/third-party/ must be beside the repository, or FLUX_OCI_SHARED_DIR name shared/: its README says what it holds)" >&2
  exit 2
}
ldflags="-s -w"
[ -n "${VERSION_VAR:-}" ] && ldflags="$ldflags -X $VERSION_VAR=$PROVIDER_VERSION"
cd "$src"
CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
  go build -trimpath -ldflags "$ldflags" -o "$out" .
