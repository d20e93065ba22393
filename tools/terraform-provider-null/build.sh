#!/usr/bin/env bash
# Run by scripts/go-tool.sh from this directory: the provider from shared/third-party.
exec "$(dirname "$0")/../../scripts/build-third-party-provider.sh" terraform-provider-null "$@"
