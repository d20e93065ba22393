#!/usr/bin/env bash
# Builds a Go tool from its wrapper module under tools/<name>/ and prints the binary's path.
#
#   scripts/go-tool.sh <name>
#
# tools/<name>/ holds go.mod/go.sum (pinning the module and any `replace` directives) and a
# tool.conf with PKG=<import path of the main package>; optionally BUILD=<script in tools/<name>>
# that builds the binary into its first argument instead of `go build PKG` (for a module that
# needs its source tree prepared), and KEY_FILES=<files under the repository root> whose content
# also goes into the cache key. Builds are cached outside the
# repository by a hash of the wrapper module and the Go version, so a warm machine reuses
# them; a cold build says on stderr what it builds and how long it took.
set -euo pipefail

name=${1:?usage: scripts/go-tool.sh <name>}
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/tools/$name"
[ -f "$dir/tool.conf" ] || { echo "go-tool: no tools/$name/tool.conf" >&2; exit 2; }
# shellcheck disable=SC1091
source "$dir/tool.conf"
: "${PKG:?tools/$name/tool.conf must set PKG}"
BIN=${BIN:-$name}

for f in ${KEY_FILES:-}; do
  [ -f "$root/$f" ] || {
    echo "go-tool: tools/$name needs $(realpath -m "$root/$f"), which is missing" >&2
    echo "  (KEY_FILES in tools/$name/tool.conf; its comments say where it comes from)" >&2
    exit 2
  }
done

cache=${FLUX_OCI_CACHE:-$HOME/.cache/flux-bootstrap-oci}
key=$( (go version; cd "$dir" && find . -type f ! -name '*.md' | LC_ALL=C sort | xargs sha256sum
  for f in ${KEY_FILES:-}; do sha256sum "$root/$f" | cut -d' ' -f1; done) | sha256sum | cut -c1-16)
out="$cache/tools/$name-$key"
if [ -x "$out/$BIN" ]; then
  echo "$out/$BIN"
  exit 0
fi

mkdir -p "$cache/tools"
exec 9>"$cache/tools/$name.lock"
flock 9
if [ ! -x "$out/$BIN" ]; then
  start=$(date +%s)
  echo "go-tool: building $name ($PKG); first build on this machine, cached in $out" >&2
  tmp="$out.tmp.$$"
  mkdir -p "$tmp"
  if [ -n "${BUILD:-}" ]; then
    (cd "$dir" && "./$BUILD" "$tmp/$BIN")
  else
    (cd "$dir" && CGO_ENABLED=${CGO_ENABLED:-0} GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags "${LDFLAGS:-}" -o "$tmp/$BIN" "$PKG")
  fi
  rm -rf "$out"
  mv "$tmp" "$out"
  echo "go-tool: built $name in $(($(date +%s) - start))s" >&2
fi
echo "$out/$BIN"
