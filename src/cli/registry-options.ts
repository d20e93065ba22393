import { Option, type Command } from 'commander';
import { parseDuration } from '../duration.js';
import { UserError } from '../errors.js';
import type { RegistryClientOptions } from '../oci/registry/index.js';
import { OCI_PROVIDERS, type OciProvider } from '../oci/provider.js';
import { addCredentialFlags, credentialsFromFlags, type CredentialFlags } from './credentials.js';
import { progressReporter } from './progress.js';

/** The registry access flags every artifact command shares. */
export interface RegistryFlags extends CredentialFlags {
  readonly provider: OciProvider;
  readonly allowInsecureHttp?: boolean;
  readonly insecureRegistry?: boolean;
  readonly caFile?: string;
  readonly timeout: string;
}

/** Adds credentials, `--provider`, `--ca-file`, `--allow-insecure-http` (alias `--insecure-registry`) and `--timeout`. */
export function addRegistryFlags(command: Command): Command {
  return addCredentialFlags(command)
    .addOption(
      new Option(
        '--provider <provider>',
        "log in with the cloud's identity: aws (ECR), azure (ACR), gcp (Artifact Registry); generic uses the credentials",
      )
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

/**
 * Client options from the flags for `registry` (credentials from the flags, else the auth
 * file; TLS, timeout, progress). A `--provider` that cannot log in to `registry` is refused
 * here, before the command prints anything.
 */
export async function registryClientOptions(
  flags: RegistryFlags,
  registry: string,
): Promise<RegistryClientOptions> {
  const provider = flags.provider ?? 'generic';
  if (provider !== 'generic') {
    const { checkProviderRegistry } = await import('../oci/registry/auth/index.js');
    checkProviderRegistry(provider, registry);
    const given = (['creds', 'username', 'password', 'passwordStdin'] as const).find(
      (flag) => flags[flag] !== undefined,
    );
    if (given) {
      const name = given === 'passwordStdin' ? 'password-stdin' : given;
      throw new UserError(
        `--provider ${provider} logs in with the cloud's identity: drop --${name}, or use --provider generic`,
      );
    }
  }
  return {
    provider,
    credentials: provider === 'generic' ? await credentialsFromFlags(flags) : undefined,
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
