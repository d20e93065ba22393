/**
 * Pinned sha256 of the `manifests.tar.gz` release asset, by Flux version. A download of a
 * listed version must match; other versions are checked against the release's published
 * checksums file when there is one, else accepted unverified (the bundle says so).
 * Add an entry for each release this package is meant to install, from the release's
 * published checksums file (`flux_<version>_checksums.txt`).
 */
export const PINNED_MANIFEST_CHECKSUMS: Readonly<Record<string, string>> = {};
