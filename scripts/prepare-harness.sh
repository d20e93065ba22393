#!/usr/bin/env bash
# Builds (or finds in the cache) every Go-built tool the tests use and prints "<tool> <path>"
# per tool. One build at a time: the big links (kube-apiserver, source-controller, tofu)
# need gigabytes each and CI has 2 cores. A cold machine takes minutes; a warm one, seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
for dir in tools/*/; do
  tool=$(basename "$dir")
  [ -f "$dir/tool.conf" ] || continue
  echo "$tool $(scripts/go-tool.sh "$tool")"
done
echo "prepare-harness: tools ready in $(($(date +%s) - start))s" >&2
