# Sourced by tools/terraform-provider-*/tool.conf (go-tool.sh sets $root, the repository):
# sets THIRD_PARTY to shared/third-party, relative to $root, as go-tool.sh's KEY_FILES need.
# shared/ is beside the main checkout (CI copies it beside its clone); from a git worktree
# elsewhere it is found beside the checkout that holds the worktree's repository.
# FLUX_OCI_SHARED_DIR overrides both.
third_party_shared=${FLUX_OCI_SHARED_DIR:-}
if [ -z "$third_party_shared" ]; then
  third_party_shared="$root/../shared"
  if [ ! -d "$third_party_shared/third-party" ]; then
    third_party_common=$(git -C "$root" rev-parse --path-format=absolute --git-common-dir 2>/dev/null || true)
    [ -n "$third_party_common" ] && third_party_shared="$(dirname "$third_party_common")/../shared"
  fi
fi
THIRD_PARTY=$(realpath -m --relative-to="$root" "$third_party_shared/third-party")
unset third_party_shared third_party_common
