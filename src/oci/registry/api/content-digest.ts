import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../../errors.js';
import { escapeControl } from '../../../terminal-text.js';

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
  const { algorithm, hex } = parseRegistryDigest(digest, registry, what);
  return createHash(algorithm).update(bytes).digest('hex') === hex;
}

/** `matchesRegistryDigest` for a file, read a piece at a time. */
export function fileMatchesRegistryDigest(
  path: string,
  digest: string,
  registry: string,
  what: string,
): boolean {
  const { algorithm, hex } = parseRegistryDigest(digest, registry, what);
  const hash = createHash(algorithm);
  const fd = openSync(path, 'r');
  try {
    const piece = Buffer.allocUnsafe(1024 * 1024);
    for (let read; (read = readSync(fd, piece)) > 0;) hash.update(piece.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex') === hex;
}

/** The algorithm and hex of a digest a registry sent; a UserError when it cannot be verified. */
function parseRegistryDigest(
  digest: string,
  registry: string,
  what: string,
): { algorithm: string; hex: string } {
  const [algorithm, hex] = digest.split(':', 2);
  const length = ALGORITHMS[algorithm];
  if (length === undefined || hex === undefined || !new RegExp(`^[a-f0-9]{${length}}$`).test(hex)) {
    throw new UserError(
      `registry ${registry} sent ${what} with the digest '${escapeControl(digest.slice(0, 200))}', which cannot be verified (sha256 or sha512 expected): check the registry`,
    );
  }
  return { algorithm, hex };
}
