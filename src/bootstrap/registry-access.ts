import type { OciProvider } from '../oci/provider.js';
import { UserError } from '../errors.js';
import { CLUSTER_PASSWORD_ENV, PASSWORD_ENV } from '../oci/registry/credentials.js';
import type { OperationOptions } from '../oci/registry/operation.js';
import { goDurationMs } from '../duration.js';
import { describeOption } from './options/option-flags.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';

/** How to reach the components registry: credentials, CA, plain HTTP, timeout. */
export function componentsRegistryAccess(
  options: ResolvedBootstrapOptions,
  env: NodeJS.ProcessEnv = process.env,
): OperationOptions {
  return access(options, options.username, options.password ?? env[PASSWORD_ENV], 'password');
}

/**
 * How to reach the cluster artifacts' registry: its own credentials, else the components
 * credentials when both artifacts live in the same registry.
 */
export function clusterRegistryAccess(
  options: ResolvedBootstrapOptions,
  sameRegistry: boolean,
  env: NodeJS.ProcessEnv = process.env,
): OperationOptions {
  if (options.clusterUsername !== undefined) {
    return access(
      options,
      options.clusterUsername,
      options.clusterPassword ?? env[CLUSTER_PASSWORD_ENV],
      'clusterPassword',
    );
  }
  return sameRegistry
    ? componentsRegistryAccess(options, env)
    : access(options, undefined, undefined, 'clusterPassword');
}

/** The password that goes with a user name, or a clear error saying where to put it. */
export function requirePassword(
  username: string,
  password: string | undefined,
  key: 'password' | 'clusterPassword',
): string {
  if (password === undefined || password === '') {
    const env = key === 'password' ? PASSWORD_ENV : CLUSTER_PASSWORD_ENV;
    throw new UserError(
      `no password for ${describeOption(key === 'password' ? 'username' : 'clusterUsername')} '${username}': ` +
        `set ${env}${key === 'password' ? ' or pipe it to --password-stdin' : ''}`,
    );
  }
  return password;
}

/** What every registry access shares besides the login: CA, plain HTTP, timeout. */
export interface RegistryConnectionSettings {
  readonly caFile?: string;
  readonly allowInsecureHttp: boolean;
  readonly timeoutMs: number;
  /** A cloud's identity logs in (`RegistryClientOptions.provider`). @default 'generic' */
  readonly provider?: OciProvider;
}

/**
 * Registry options for a login: basic auth when a user name is given (its password required),
 * else the Docker auth file. The one builder behind bootstrap's and upgrade's registry access.
 */
export function registryAccess(
  settings: RegistryConnectionSettings,
  username: string | undefined,
  password: string | undefined,
  key: 'password' | 'clusterPassword',
): OperationOptions {
  return {
    credentials:
      username === undefined
        ? undefined
        : { username, password: requirePassword(username, password, key) },
    // With a Workload Identity provider the registry login is the cloud's, here too: the
    // pushes use the runner's ambient identity, as source-controller uses the cluster's.
    provider: settings.provider,
    useAuthFile: username === undefined,
    caFile: settings.caFile,
    allowInsecureHttp: settings.allowInsecureHttp,
    timeoutMs: settings.timeoutMs,
  };
}

function access(
  options: ResolvedBootstrapOptions,
  username: string | undefined,
  password: string | undefined,
  key: 'password' | 'clusterPassword',
): OperationOptions {
  const { caFile, allowInsecureHttp, provider } = options;
  const timeoutMs = goDurationMs(options.timeout);
  return registryAccess(
    { caFile, allowInsecureHttp, timeoutMs, provider },
    username,
    password,
    key,
  );
}
