#!/usr/bin/env bash
# Regenerates flux-manifests/<version>.tar.gz, the Flux release manifests the package ships
# (<component>.yaml for every controller, extras included, rbac.yaml, policies.yaml), the way
# flux2's release builds manifests.tar.gz: manifests/scripts/bundle.sh runs `kustomize build`
# over flux2's manifests/bases, whose kustomizations pull each controller's release assets
# <c>.crds.yaml and <c>.deployment.yaml; a controller's release makes those with
# `kustomize build config/crd` and `kustomize build config/manager` at its tag, whose
# config/manager/kustomization.yaml pins the image tag.
#
#   scripts/generate-embedded-manifests.sh [flux version, default v2.9.5]
#
# Everything comes from Go modules (flux2 and each controller at the version flux2's bases name).
# The Go module proxy this project reaches does not serve every controller module; for those,
# FLUX_CONTROLLER_SOURCES may name a directory of git clones (<dir>/<controller>): config/ is taken
# from the version's tag or, without it, from the tip of its release/vX.Y.x branch, in which case
# the CRDs are regenerated with controller-gen (the version the controller's Makefile names) from
# the controller's api module at the exact version, which the proxy serves, and the image is
# pinned to that version as the release commit pins it. bundle-sources.txt in the archive says
# where each component came from.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${1:-v2.9.5}
out="$root/flux-manifests/$version.tar.gz"

kustomize=$("$root/scripts/go-tool.sh" kustomize)
# Prints the module's directory in the module cache, or nothing when the proxy refuses it.
module_dir() {
  (cd /tmp && GOFLAGS=-mod=mod go mod download -json "$1" 2>/dev/null | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p') || true
}
say() { echo "embedded-manifests: $*" >&2; }

flux2=$(module_dir "github.com/fluxcd/flux2/v2@$version")
[ -n "$flux2" ] || { say "the Go module proxy does not serve github.com/fluxcd/flux2/v2@$version"; exit 1; }

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$flux2/manifests" "$work/manifests"
chmod -R u+w "$work/manifests"
sources="$work/bundle/bundle-sources.txt"
mkdir -p "$work/bundle"
echo "Flux $version manifests, built by scripts/generate-embedded-manifests.sh from github.com/fluxcd/flux2/v2@$version manifests/ and:" > "$sources"

# Puts config/ of controller $1 at tag $2 into directory $3, from its Go module or a git clone.
controller_config() {
  local c=$1 tag=$2 dest=$3 major suffix="" dir
  major=${tag#v}; major=${major%%.*}
  [ "$major" -ge 2 ] && suffix="/v$major"
  dir=$(module_dir "github.com/fluxcd/$c$suffix@$tag")
  if [ -n "$dir" ]; then
    cp -r "$dir/config" "$dest/config"
    chmod -R u+w "$dest"
    echo "  $c $tag: Go module github.com/fluxcd/$c$suffix@$tag" >> "$sources"
    return
  fi
  local clone="${FLUX_CONTROLLER_SOURCES:-}/$c"
  if [ -z "${FLUX_CONTROLLER_SOURCES:-}" ] || ! git -C "$clone" rev-parse --git-dir > /dev/null 2>&1; then
    say "the Go module proxy does not serve github.com/fluxcd/$c$suffix@$tag; set FLUX_CONTROLLER_SOURCES to a directory holding a git clone of github.com/fluxcd/$c as $c/"
    exit 1
  fi
  if git -C "$clone" rev-parse -q --verify "refs/tags/$tag^{commit}" > /dev/null; then
    git -C "$clone" archive "$tag" config | tar -x -C "$dest"
    echo "  $c $tag: git tag $tag" >> "$sources"
    return
  fi
  local minor=${tag#v}; minor=${minor%.*}
  local branch
  branch=$(git -C "$clone" for-each-ref --format='%(refname)' "refs/heads/release/v$minor.x" "refs/remotes/*/release/v$minor.x" | head -1)
  [ -n "$branch" ] || { say "$clone has neither tag $tag nor a release/v$minor.x branch"; exit 1; }
  git -C "$clone" archive "$branch" config Makefile | tar -x -C "$dest"
  local gen api
  gen=$(sed -n 's/^CONTROLLER_GEN_VERSION ?= *//p' "$dest/Makefile")
  api=$(module_dir "github.com/fluxcd/$c/api$suffix@$tag")
  [ -n "$gen" ] && [ -n "$api" ] || { say "no controller-gen version in $c's Makefile or no api module github.com/fluxcd/$c/api$suffix@$tag"; exit 1; }
  # The CRDs as the controller's `make manifests` writes them, from the api types of the version.
  cp -r "$api" "$dest/api"
  chmod -R u+w "$dest/api"
  rm -f "$dest"/config/crd/bases/*.yaml
  (cd "$dest/api" && GOFLAGS=-mod=mod go run "sigs.k8s.io/controller-tools/cmd/controller-gen@$gen" \
    crd:crdVersions=v1 paths=./... output:crd:artifacts:config="$dest/config/crd/bases")
  # A kind added or dropped since the branch's config/crd/kustomization.yaml would go unnoticed.
  local crd
  for crd in "$dest"/config/crd/bases/*.yaml; do
    grep -q "bases/$(basename "$crd")" "$dest/config/crd/kustomization.yaml" ||
      { say "$c $tag has CRD $(basename "$crd"), which $branch's config/crd/kustomization.yaml does not list"; exit 1; }
  done
  (cd "$dest/config/manager" && "$kustomize" edit set image "fluxcd/$c=fluxcd/$c:$tag")
  echo "  $c $tag: config/ of $branch ($(git -C "$clone" rev-parse --short "$branch")), CRDs by controller-gen $gen from Go module github.com/fluxcd/$c/api$suffix@$tag, image pinned to $tag" >> "$sources"
  say "$c: no module or tag $tag; used $branch with the CRDs regenerated from the $tag api module"
}

files=()
for base in "$work"/manifests/bases/*/; do
  c=$(basename "$base")
  url=$(grep -o "https://github.com/fluxcd/$c/releases/download/[^/]*/" "$base/kustomization.yaml" | head -1)
  [ -n "$url" ] || { say "$base/kustomization.yaml names no $c release"; exit 1; }
  tag=$(basename "$url")
  src="$work/src/$c"
  mkdir -p "$src"
  controller_config "$c" "$tag" "$src"
  "$kustomize" build "$src/config/crd" > "$base/$c.crds.yaml"
  "$kustomize" build "$src/config/manager" > "$base/$c.deployment.yaml"
  # The base points at the release assets on GitHub; point it at the files built above.
  sed -i "s#$url##" "$base/kustomization.yaml"
  "$kustomize" build "$base" > "$work/bundle/$c.yaml"
  files+=("$c.yaml")
done
"$kustomize" build "$work/manifests/rbac" > "$work/bundle/rbac.yaml"
"$kustomize" build "$work/manifests/policies" > "$work/bundle/policies.yaml"
files+=(rbac.yaml policies.yaml bundle-sources.txt)

# Flat, like the release's manifests.tar.gz; reproducible: same inputs, same bytes.
mkdir -p "$(dirname "$out")"
tar -C "$work/bundle" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --mode=0644 \
  -cf - "${files[@]}" | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
say "wrote $out ($(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -c1-64)):"
sed 's/^/  /' "$sources" >&2
