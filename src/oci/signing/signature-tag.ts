/**
 * The tag cosign stores an artifact's signatures under: `sha256-<hex>.sig` beside it in the
 * same repository, so they follow the digest whatever tags point at it.
 */
export function signatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}
