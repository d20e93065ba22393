/** How to authenticate to a registry. */
export type Credentials =
  /** User name and password: sent as Basic, or exchanged for a bearer token. */
  | { readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (docker config `identitytoken`), exchanged at the token realm. */
  | { readonly identityToken: string }
  /** A registry bearer token used as is (Flux: `--creds` without a colon). */
  | { readonly registryToken: string };

/** Who the credentials are, for error messages: never the secret. */
export function describeCredentials(credentials: Credentials | undefined): string {
  if (!credentials) return 'anonymous';
  if ('username' in credentials) return `user '${credentials.username}'`;
  if ('identityToken' in credentials) return 'the identity token';
  return 'the registry token';
}

/** The environment variables registry passwords are read from (never an argument), as the RFC names the first. */
export const PASSWORD_ENV = 'OCI_PASSWORD';
/** The cluster artifacts' registry password, when it differs from the components registry's. */
export const CLUSTER_PASSWORD_ENV = 'OCI_CLUSTER_PASSWORD';
