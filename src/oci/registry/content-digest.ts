import { createHash } from 'node:crypto';
import { UserError } from '../../errors.js';
import { escapeControl } from '../../terminal-text.js';

/** The digest algorithms of the OCI image spec, with the length of their hex part. */
const ALGORITHMS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/**
 * Whether `bytes` have the digest a registry sent (a `Docker-Content-Digest` header): a
 * `sha256:` or `sha512:` digest is checked; any other value is refused with a UserError
 * naming `what`, since content that cannot be verified is not taken.
 */
export function matchesRegistryDigest(
  bytes: Uint8Array,
  digest: string,
  registry: string,
  what: string,
): boolean {
  const [algorithm, hex] = digest.split(':', 2);
  const length = ALGORITHMS[algorithm];
  if (length === undefined || hex === undefined || !new RegExp(`^[a-f0-9]{${length}}$`).test(hex)) {
    throw new UserError(
      `registry ${registry} sent ${what} with the digest '${escapeControl(digest.slice(0, 200))}', which cannot be verified (sha256 or sha512 expected): check the registry`,
    );
  }
  return createHash(algorithm).update(bytes).digest('hex') === hex;
}
