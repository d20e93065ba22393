/** The environment variable cosign reads a key's password from; ours too. */
export const COSIGN_PASSWORD_ENV = 'COSIGN_PASSWORD';
