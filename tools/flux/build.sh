#!/usr/bin/env bash
# Builds the Flux CLI into $1, run by scripts/go-tool.sh from this directory. cmd/flux embeds
# the release manifests (//go:embed manifests/*.yaml, made by flux2's manifests/scripts/bundle.sh
# before a release build), which the module download lacks: the module source is copied to a
# temporary directory, the package's embedded bundle (the same files) is put into
# cmd/flux/manifests/, and the CLI is built there with the module's own go.mod and go.sum.
set -euo pipefail
out=${1:?usage: build.sh <output binary>}
root=$(cd "$(dirname "$0")/../.." && pwd)
version=2.9.5
bundle="$root/flux-manifests/v$version.tar.gz"
[ -f "$bundle" ] || { echo "tools/flux: $bundle is missing; run scripts/generate-embedded-manifests.sh" >&2; exit 2; }

# The go.sum of this wrapper verifies the download.
src=$(GOFLAGS=-mod=readonly go mod download -json github.com/fluxcd/flux2/v2 | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "tools/flux: cannot download github.com/fluxcd/flux2/v2@v$version" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$src/." "$work/flux2"
chmod -R u+w "$work/flux2"
mkdir -p "$work/flux2/cmd/flux/manifests"
tar -xzf "$bundle" -C "$work/flux2/cmd/flux/manifests" --wildcards '*.yaml'
# main.VERSION as the release sets it: `flux install` then uses the embedded manifests by default.
cd "$work/flux2"
CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" \
  go build -trimpath -ldflags "-s -w -X main.VERSION=$version" -o "$out" ./cmd/flux
