import { scryptSync } from 'node:crypto';
import { secretbox } from '@noble/ciphers/salsa.js';

/**
 * The scrypt parameters go-securesystemslib accepts (legacy, standard, OWASP); cosign
 * writes the standard ones. Anything else is refused, as cosign refuses it, so a crafted
 * key file cannot make us spend unbounded memory.
 */
const ACCEPTED_SCRYPT_PARAMS = [
  { N: 32768, r: 8, p: 1 },
  { N: 65536, r: 8, p: 1 },
  { N: 131072, r: 8, p: 1 },
];

/** The JSON inside an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block (go-securesystemslib/encrypted). */
interface EncryptedData {
  kdf?: { name?: string; params?: { N?: number; r?: number; p?: number }; salt?: string };
  cipher?: { name?: string; nonce?: string };
  ciphertext?: string;
}

/** Why an encrypted key could not be opened; `wrongPassword` when the box did not open. */
export class KeyDecryptionError extends Error {
  constructor(
    message: string,
    readonly wrongPassword = false,
  ) {
    super(message);
  }
}

/**
 * Decrypts the body of a cosign encrypted private key, as `cosign generate-key-pair` writes
 * it: a key from scrypt(password, salt) opens a NaCl secretbox (XSalsa20-Poly1305) holding
 * the PKCS#8 DER of the private key.
 */
export function decryptCosignKey(body: Uint8Array, password: string): Buffer {
  let data: EncryptedData;
  try {
    data = JSON.parse(Buffer.from(body).toString('utf8')) as EncryptedData;
  } catch {
    throw new KeyDecryptionError('its encrypted body is not the JSON cosign writes');
  }
  if (data.kdf?.name !== 'scrypt') {
    throw new KeyDecryptionError(`unknown key derivation '${String(data.kdf?.name)}'`);
  }
  if (data.cipher?.name !== 'nacl/secretbox') {
    throw new KeyDecryptionError(`unknown cipher '${String(data.cipher?.name)}'`);
  }
  const params = data.kdf.params ?? {};
  if (
    !ACCEPTED_SCRYPT_PARAMS.some((a) => a.N === params.N && a.r === params.r && a.p === params.p)
  ) {
    throw new KeyDecryptionError('unsupported scrypt parameters');
  }
  const salt = base64Field(data.kdf.salt, 'kdf.salt');
  const nonce = base64Field(data.cipher.nonce, 'cipher.nonce');
  const ciphertext = base64Field(data.ciphertext, 'ciphertext');
  if (nonce.length !== 24) throw new KeyDecryptionError('the secretbox nonce is not 24 bytes');
  const { N, r, p } = params as { N: number; r: number; p: number };
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 32, {
    N,
    r,
    p,
    // scrypt needs 128 * N * r bytes; Node's default limit (32 MiB) is below cosign's N.
    maxmem: 256 * N * r,
  });
  try {
    return Buffer.from(secretbox(key, nonce).open(ciphertext));
  } catch {
    throw new KeyDecryptionError('the password does not open it', true);
  }
}

function base64Field(value: unknown, name: string): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    throw new KeyDecryptionError(`its ${name} is not base64`);
  }
  return Buffer.from(value, 'base64');
}
