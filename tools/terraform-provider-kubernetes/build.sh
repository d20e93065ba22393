#!/usr/bin/env bash
# Builds hashicorp/kubernetes into $1, run by scripts/go-tool.sh from this directory, from the
# source beside the repository (../shared/third-party; CI copies shared/ beside its clone). The
# directory is read-only: -mod=readonly writes nothing there (go.sum is complete).
set -euo pipefail
out=${1:?usage: build.sh <output binary>}
root=$(cd "$(dirname "$0")/../.." && pwd)
version=$(sed -n 's/^PROVIDER_VERSION=//p' "$root/tools/terraform-provider-kubernetes/tool.conf")
src="$root/../shared/third-party/terraform-provider-kubernetes-$version"
[ -f "$src/go.mod" ] || {
  echo "tools/terraform-provider-kubernetes: no provider source at $src" >&2
  echo "  (shared/third-party/ must be beside the repository: its README says what it holds)" >&2
  exit 2
}
cd "$src"
# main.Version as the release sets it (the provider's user agent reports it).
CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
  go build -trimpath -ldflags "-s -w -X main.Version=$version" -o "$out" .
