#!/usr/bin/env bash
# Regenerates test/fixtures/flux-components/: the Flux 2.9.5 release bundle layout
# (<component>.yaml, rbac.yaml, policies.yaml, as flux2's manifests/scripts/bundle.sh makes
# them) for source-controller and kustomize-controller, built with kustomize from the Go
# modules the harness builds: the controllers' config/crd and config/manager (what their
# releases publish as <c>.crds.yaml and <c>.deployment.yaml) and flux2's manifests/.
#
#   scripts/harness-flux-components.sh [out-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/test/fixtures/flux-components}
flux_version=v2.9.5
components="source-controller kustomize-controller"

kustomize=$("$root/scripts/go-tool.sh" kustomize)
module_dir() { (cd "$1" && GOFLAGS=-mod=readonly go mod download -json "$2" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'); }
flux2=$(module_dir /tmp "github.com/fluxcd/flux2/v2@$flux_version")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$flux2/manifests" "$work/manifests"
chmod -R u+w "$work/manifests"

for c in $components; do
  dir=$(module_dir "$root/tools/$c" "github.com/fluxcd/$c")
  base="$work/manifests/bases/$c"
  "$kustomize" build "$dir/config/crd" > "$base/$c.crds.yaml"
  "$kustomize" build "$dir/config/manager" > "$base/$c.deployment.yaml"
  # The base points at the release assets on GitHub; point it at the files built above.
  sed -i -E "s#https://github.com/fluxcd/$c/releases/download/[^/]+/##" "$base/kustomization.yaml"
done

mkdir -p "$out"
for c in $components; do "$kustomize" build "$work/manifests/bases/$c" > "$out/$c.yaml"; done
"$kustomize" build "$work/manifests/rbac" > "$out/rbac.yaml"
"$kustomize" build "$work/manifests/policies" > "$out/policies.yaml"
echo "flux-components: wrote $(cd "$out" && ls -- *.yaml | tr '\n' ' ')to $out (Flux $flux_version)" >&2
