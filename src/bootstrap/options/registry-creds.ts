import { UserError } from '../../errors.js';

/** The user and password of `--registry-creds`, for the image pull Secret. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * `--registry-creds user:password`, checked as `flux install` and `flux bootstrap` check it
 * (exactly one ':', and `--image-pull-secret` to name the Secret). `flag` is how the user
 * gave it; the value is never echoed: it holds a password.
 */
export function parseRegistryCreds(
  value: string | undefined,
  imagePullSecret: string | undefined,
  flag = '--registry-creds',
  pullSecretFlag = '--image-pull-secret',
): RegistryCredentials | undefined {
  if (value === undefined) return undefined;
  if (!imagePullSecret) {
    throw new UserError(
      `${flag} requires ${pullSecretFlag} to be set: name the Secret the controllers pull their images with`,
    );
  }
  const parts = value.split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
    throw new UserError(`invalid ${flag} format, expected 'user:password'`);
  }
  return { username: parts[0]!, password: parts[1]! };
}

/**
 * What `--registry-creds user:password` on a command line warns: the password is in the
 * process list. The construct's steps use `--registry-creds-env` and never see it.
 */
export const REGISTRY_CREDS_ARGV_WARNING =
  "warning: --registry-creds is visible to other users of this machine in the process list; prefer --registry-creds-env=NAME with 'user:password' in the environment variable NAME\n";
