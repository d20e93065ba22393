import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { basicAuthUsername } from '../bootstrap/options/basic-auth-username.js';
import { PASSWORD_ENV, type Credentials } from '../oci/registry/credentials.js';
import { readStdin } from './read-stdin.js';

/** The credential flags of the artifact commands, as commander parses them. */
export interface CredentialFlags {
  readonly creds?: string;
  readonly username?: string;
  readonly password?: string;
  readonly passwordStdin?: boolean;
}

/** Adds `--creds`, `--username`, `--password` and `--password-stdin`. */
export function addCredentialFlags(command: Command): Command {
  return command
    .option(
      '--creds <credentials>',
      `credentials for the OCI registry in the format <username>[:<password>]; with a user name alone the password comes from --password-stdin or $${PASSWORD_ENV}, else the value is a registry token`,
    )
    .option(
      '--username <name>',
      'user name for the OCI registry (password from --password-stdin or $OCI_PASSWORD)',
    )
    .option(
      '--password <password>',
      'password for the OCI registry (visible to other users: prefer --password-stdin or $OCI_PASSWORD)',
    )
    .option('--password-stdin', 'read the registry password from standard input');
}

/**
 * The credentials the flags give, or undefined (then the Docker/Podman auth file is used).
 * The password comes from `--password`, `--password-stdin` or `$OCI_PASSWORD`, in that
 * order; `--creds user:password` carries its own.
 */
export async function credentialsFromFlags(
  flags: CredentialFlags,
  env: NodeJS.ProcessEnv = process.env,
  readPassword: () => Promise<string> = () => readStdin('the registry password'),
): Promise<Credentials | undefined> {
  if (flags.creds !== undefined && flags.username !== undefined) {
    throw new UserError('give either --creds or --username, not both');
  }
  if (flags.password !== undefined && flags.passwordStdin) {
    throw new UserError('give either --password or --password-stdin, not both');
  }
  const password = async (): Promise<string | undefined> => {
    if (flags.password !== undefined) return flags.password;
    if (flags.passwordStdin) return readPassword();
    return env[PASSWORD_ENV];
  };
  if (flags.creds !== undefined) {
    if (flags.creds === '')
      throw new UserError('--creds is empty: use --creds <username>:<password>');
    const colon = flags.creds.indexOf(':');
    if (colon >= 0) {
      if (flags.password !== undefined || flags.passwordStdin) {
        throw new UserError('--creds already holds a password: drop --password/--password-stdin');
      }
      return { username: flags.creds.slice(0, colon), password: flags.creds.slice(colon + 1) };
    }
    const separate = await password();
    // Flux reads a value without a colon as a registry token.
    return separate !== undefined
      ? { username: flags.creds, password: separate }
      : { registryToken: flags.creds };
  }
  if (flags.username !== undefined) {
    basicAuthUsername('--username', flags.username);
    const separate = await password();
    if (separate === undefined) {
      throw new UserError(
        `--username ${flags.username} needs a password: pipe it to --password-stdin or set $${PASSWORD_ENV}`,
      );
    }
    return { username: flags.username, password: separate };
  }
  if (flags.password !== undefined || flags.passwordStdin) {
    throw new UserError(
      'a password was given without a user: add --username <name> or --creds <name>',
    );
  }
  return undefined;
}
