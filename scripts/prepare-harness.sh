#!/usr/bin/env bash
# Builds (or finds in the cache) every Go-built tool the tests use and prints their paths.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in $(ls tools 2>/dev/null); do
  scripts/go-tool.sh "$tool" >/dev/null
done
