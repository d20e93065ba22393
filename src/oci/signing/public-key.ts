import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { firstPemBlock } from './pem-block.js';

/** A public key that checks cosign signatures, as sigstore's LoadVerifier(key, SHA256) does. */
export interface CosignVerifier {
  /** Where the key came from, for messages. */
  readonly source: string;
  /** The key as PEM, what a `cosign.pub` Secret entry holds. */
  readonly pem: string;
  /** Whether `signature` is this key's signature of `payload`. */
  verify(payload: Uint8Array, signature: Uint8Array): boolean;
}

/** Reads a public key PEM file (`cosign.pub`): ECDSA or RSA, checked with SHA-256. */
export function loadPublicKey(file: string): CosignVerifier {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `cannot read the public key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give the cosign.pub that cosign generate-key-pair wrote`,
    );
  }
  return publicKeyFromPem(text, file);
}

/** As loadPublicKey, from the PEM text; `source` names it in messages. */
export function publicKeyFromPem(text: string, source: string): CosignVerifier {
  const block = firstPemBlock(text);
  if (block?.type !== 'PUBLIC KEY') {
    throw new UserError(
      `${source} is not a public key PEM (${block ? `found a '${block.type}' block` : 'no PEM block'}): give the cosign.pub that cosign generate-key-pair wrote, not the private key`,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: block.bytes, format: 'der', type: 'spki' });
  } catch (err) {
    throw new UserError(`${source} is not a valid public key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' && key.asymmetricKeyType !== 'rsa') {
    throw new UserError(
      `${source} is a ${String(key.asymmetricKeyType)} key: cosign key signatures are checked here with ECDSA or RSA keys`,
    );
  }
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return {
    source,
    pem,
    verify: (payload, signature) => {
      try {
        return verify('sha256', payload, { key, dsaEncoding: 'der' }, signature);
      } catch {
        return false;
      }
    },
  };
}
