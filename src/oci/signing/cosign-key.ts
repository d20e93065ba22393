import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { COSIGN_PASSWORD_ENV, type CosignKeyPassword } from './cosign-password.js';
import { decryptCosignKey, KeyDecryptionError } from './encrypted-key.js';
import { firstPemBlock } from './pem-block.js';

/** The PEM types `cosign generate-key-pair` writes (SIGSTORE since v2, COSIGN before). */
const ENCRYPTED_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];
const PLAIN_TYPES = ['PRIVATE KEY', 'EC PRIVATE KEY'];

/** A private key that signs as cosign signs: ECDSA P-256 over SHA-256, ASN.1 DER signature. */
export interface CosignSigner {
  /** Where the key came from, for messages. */
  readonly source: string;
  /** The public key as PEM (`-----BEGIN PUBLIC KEY-----`), what `cosign.pub` holds. */
  readonly publicKeyPem: string;
  /** The signature of `payload`. */
  sign(payload: Uint8Array): Buffer;
}

/** `env://NAME`: the key's PEM is in that environment variable, as cosign reads `--key env://NAME`. */
const ENV_KEY = /^env:\/\/([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Reads a cosign signing key (a file, or `env://NAME` for a PEM in the environment, as
 * cosign's `--key env://NAME`): cosign's encrypted format (`cosign generate-key-pair`,
 * opened with `password`, which comes from COSIGN_PASSWORD as cosign reads it) or a plain
 * PKCS#8 (or SEC1) EC P-256 PEM. Anything else is a UserError saying what was found.
 */
export function loadCosignKey(
  file: string,
  password: string | CosignKeyPassword | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CosignSigner {
  const variable = ENV_KEY.exec(file)?.[1];
  if (variable !== undefined) {
    const text = env[variable];
    if (!text) {
      throw new UserError(
        `the cosign key ${file} names the environment variable ${variable}, which is not set: set it to the content of cosign.key`,
      );
    }
    return cosignSignerFromPem(text, password, file);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(
      `cannot read the cosign key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; give the path of the key cosign generate-key-pair wrote (cosign.key)`,
    );
  }
  return cosignSignerFromPem(text, password, file);
}

/**
 * Opens the cosign key `key` (a file or `env://NAME`) with `password`, else with
 * COSIGN_PASSWORD from `env`, as cosign does; messages name where the password came from.
 * Every command that signs opens its key here.
 */
export function openCosignKey(
  key: string,
  env: NodeJS.ProcessEnv = process.env,
  password?: CosignKeyPassword,
): CosignSigner {
  const fromEnv = env[COSIGN_PASSWORD_ENV];
  return loadCosignKey(
    key,
    password ??
      (fromEnv === undefined ? undefined : { value: fromEnv, source: COSIGN_PASSWORD_ENV }),
    env,
  );
}

/** As loadCosignKey, from the PEM text itself; `source` names it in messages. */
export function cosignSignerFromPem(
  text: string,
  givenPassword: string | CosignKeyPassword | undefined,
  source: string,
): CosignSigner {
  const password =
    typeof givenPassword === 'string'
      ? { value: givenPassword, source: 'the given password' }
      : givenPassword;
  const block = firstPemBlock(text);
  if (!block) {
    throw new UserError(
      `the cosign key ${source} is not a PEM file: give the cosign.key that cosign generate-key-pair wrote, or a PKCS#8 EC P-256 private key`,
    );
  }
  let key: KeyObject;
  if (ENCRYPTED_TYPES.includes(block.type)) {
    if (password === undefined) {
      throw new UserError(
        `the cosign key ${source} is encrypted and ${COSIGN_PASSWORD_ENV} is not set: set ${COSIGN_PASSWORD_ENV} to the password given to cosign generate-key-pair`,
      );
    }
    let der: Buffer;
    try {
      der = decryptCosignKey(block.bytes, password.value);
    } catch (err) {
      if (!(err instanceof KeyDecryptionError)) throw err;
      throw new UserError(
        err.wrongPassword
          ? `the cosign key ${source} cannot be decrypted with the password from ${password.source}: wrong password`
          : `the cosign key ${source} cannot be read: ${err.message}`,
      );
    }
    key = parsePrivateKey(
      () => createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      source,
    );
  } else if (PLAIN_TYPES.includes(block.type)) {
    key = parsePrivateKey(() => createPrivateKey(text), source);
  } else {
    throw new UserError(
      `the cosign key ${source} holds a '${block.type}' PEM block, not a private key: give cosign.key (not cosign.pub), or a PKCS#8 EC P-256 private key`,
    );
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    throw new UserError(
      `the cosign key ${source} is ${key.asymmetricKeyType === 'ec' ? `an EC ${String(curve)} key` : `a ${String(key.asymmetricKeyType)} key`}: only ECDSA P-256 keys (cosign generate-key-pair's default) can sign here`,
    );
  }
  const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return {
    source,
    publicKeyPem,
    sign: (payload) => sign('sha256', payload, { key, dsaEncoding: 'der' }),
  };
}

function parsePrivateKey(parse: () => KeyObject, source: string): KeyObject {
  try {
    return parse();
  } catch (err) {
    throw new UserError(
      `the cosign key ${source} is not a valid private key: ${(err as Error).message}`,
    );
  }
}
