import { Option, type Command } from 'commander';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import type { RegistryClientOptions } from '../oci/registry/index.js';
import { OCI_PROVIDERS } from '../oci/provider.js';
import { addCredentialFlags, credentialsFromFlags, type CredentialFlags } from './credentials.js';
import { progressReporter } from './progress.js';

/** The registry access flags every artifact command shares. */
export interface RegistryFlags extends CredentialFlags {
  readonly provider: string;
  readonly allowInsecureHttp?: boolean;
  readonly insecureRegistry?: boolean;
  readonly caFile?: string;
  readonly timeout: string;
}

/** Adds credentials, `--provider`, `--ca-file`, `--allow-insecure-http` (alias `--insecure-registry`) and `--timeout`. */
export function addRegistryFlags(command: Command): Command {
  return addCredentialFlags(command)
    .addOption(
      new Option('--provider <provider>', 'the OCI provider name')
        .choices(OCI_PROVIDERS)
        .default('generic'),
    )
    .option('--ca-file <file>', 'PEM file of a CA to trust next to the system roots')
    .option(
      '--allow-insecure-http',
      'allow plain HTTP for registries that do not speak TLS (localhost, 127.0.0.1 and ::1 need no flag)',
    )
    .addOption(new Option('--insecure-registry', 'alias of --allow-insecure-http (Flux CLI name)'))
    .option('--timeout <duration>', 'timeout of the operation, retries included', '5m0s');
}

/** Client options from the flags: credentials (flags, else the auth file), TLS, timeout, progress. */
export async function registryClientOptions(flags: RegistryFlags): Promise<RegistryClientOptions> {
  if (flags.provider !== 'generic') {
    throw new UserError(
      `--provider ${flags.provider} is not supported yet: use --creds, or a Docker credential helper (e.g. docker-credential-ecr-login) in ~/.docker/config.json`,
    );
  }
  return {
    credentials: await credentialsFromFlags(flags),
    caFile: flags.caFile,
    allowInsecureHttp: Boolean(flags.allowInsecureHttp || flags.insecureRegistry),
    timeoutMs: parseGoDuration(flags.timeout, '--timeout'),
    onProgress: progressReporter(),
  };
}

/** Milliseconds of a `--timeout` value; a UserError naming the flag when it is no duration or out of range. */
export function parseGoDuration(value: string, flag: string): number {
  return parseDuration(value, flag, 'timeout');
}
