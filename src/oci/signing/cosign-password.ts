/** The environment variable cosign reads a key's password from; ours too. */
export const COSIGN_PASSWORD_ENV = 'COSIGN_PASSWORD';

/** A cosign key's password and where it came from, which messages name. */
export interface CosignKeyPassword {
  readonly value: string;
  /** `COSIGN_PASSWORD`, `--cosign-password-env (cosignPassword)`, ... */
  readonly source: string;
}
