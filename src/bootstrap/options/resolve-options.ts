import { UserError } from '../../errors.js';
import { DEFAULT_COMPONENTS } from '../../flux/flux-components.js';
import { DEFAULT_FLUX_VERSION, normalizeFluxVersion } from '../../flux/flux-versions.js';
import { clusterDirectory } from '../../flux/cluster-artifact.js';
import { checkDnsSubdomain } from '../../kube/names.js';
import { COMPONENTS_SYNC_NAME } from '../../flux/sync-objects.js';
import { resolveInstallOptions } from '../../flux/install-options.js';
import { parseOciReference } from '../../oci/reference.js';
import { basicAuthUsername } from './basic-auth-username.js';
import { OCI_PROVIDERS } from '../../oci/provider.js';
import { checkProviderRegistry } from '../../oci/registry/auth/index.js';
import { parseDuration, type DurationUse } from '../../duration.js';
import type { BootstrapOciOptions, ConstructOnlyOption } from './options.js';
import { describeOption, hasFlag, OPTION_FLAGS } from './option-flags.js';
import { parseRegistryCreds } from './registry-creds.js';
import { resolveVerification, type VerificationOptions } from './resolve-verification.js';
import {
  CA_SECRET_NAME,
  CLUSTER_VERIFY_SECRET_NAME,
  COMPONENTS_VERIFY_SECRET_NAME,
} from './secret-names.js';

/** The options that have no default: unset stays unset. */
type WithoutDefault =
  | 'username'
  | 'password'
  | 'kustomization'
  | 'clusterUrl'
  | 'clusterUsername'
  | 'clusterPassword'
  | 'clusterPath'
  | 'imagePullSecret'
  | 'registryCreds'
  | 'caFile'
  | 'manifests'
  | 'kubeconfig'
  | 'context'
  | keyof VerificationOptions;

/** Every option with its default applied and its value checked. */
export type ResolvedBootstrapOptions = Required<Omit<BootstrapOciOptions, WithoutDefault>> &
  Pick<BootstrapOciOptions, WithoutDefault>;

const CONSTRUCT_ONLY: readonly ConstructOnlyOption[] = [
  'passwordRevision',
  'clusterPasswordRevision',
  'registryCredsRevision',
];

/**
 * Applies the defaults and validates every option before anything is built, pushed or
 * applied. `isUnresolved` tells which strings are deploy-time references (CDKTF tokens):
 * those are allowed only for credentials, which are never needed at synth time.
 */
export function resolveBootstrapOptions(
  options: BootstrapOciOptions,
  isUnresolved: (value: string) => boolean = () => false,
): ResolvedBootstrapOptions {
  for (const key of Object.keys(options) as (keyof BootstrapOciOptions)[]) {
    if (!hasFlag(key) && !(CONSTRUCT_ONLY as string[]).includes(key)) {
      throw new UserError(`unknown option '${key}': see the options of flux bootstrap oci`);
    }
    // Deploy-time options only reach the steps (through their environment), never the
    // artifact or the plan's objects.
    const value = options[key];
    if (
      typeof value === 'string' &&
      isUnresolved(value) &&
      !(hasFlag(key) && OPTION_FLAGS[key].deployTime)
    ) {
      throw new UserError(
        `${describeOption(key)} must be known at synth time, but it is a deploy-time reference; ` +
          'pass a plain string (only the credentials and the cluster connection may come from Terraform)',
      );
    }
  }

  // The install options are checked by the Flux layer, which `flux-oci install` shares.
  const install = resolveInstallOptions(options);
  const resolved: ResolvedBootstrapOptions = {
    url: requireOciUrl('url', options.url),
    username: username('username', options.username, isUnresolved),
    password: options.password,
    passwordRevision: revision('passwordRevision', options.passwordRevision),
    provider: oneOf('provider', options.provider ?? 'generic', OCI_PROVIDERS),
    kustomization: options.kustomization,
    clusterUrl:
      options.clusterUrl === undefined
        ? undefined
        : requireOciUrl('clusterUrl', options.clusterUrl),
    clusterUsername: username('clusterUsername', options.clusterUsername, isUnresolved),
    clusterPassword: options.clusterPassword,
    clusterPasswordRevision: revision('clusterPasswordRevision', options.clusterPasswordRevision),
    clusterPath: clusterPath(options),
    secretName: secretName(options.secretName),
    clusterDomain: install.clusterDomain,
    components: [...(options.components ?? DEFAULT_COMPONENTS)],
    componentsExtra: [...(options.componentsExtra ?? [])],
    imagePullSecret: options.imagePullSecret,
    registryCreds: registryCreds(options, isUnresolved),
    registryCredsRevision: revision('registryCredsRevision', options.registryCredsRevision),
    logLevel: install.logLevel,
    networkPolicy: install.networkPolicy,
    registry: install.registry,
    tolerationKeys: [...install.tolerationKeys],
    version: normalizeFluxVersion(options.version ?? DEFAULT_FLUX_VERSION),
    watchAllNamespaces: install.watchAllNamespaces,
    caFile: options.caFile,
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    namespace: install.namespace,
    interval: duration('interval', options.interval ?? '1m', 'interval'),
    kustomizationInterval: duration(
      'kustomizationInterval',
      options.kustomizationInterval ?? '1h',
      'interval',
    ),
    retryInterval: duration('retryInterval', options.retryInterval ?? '5m', 'interval'),
    pinByDigest: options.pinByDigest ?? false,
    allowDowngrade: options.allowDowngrade ?? false,
    manifests: options.manifests ?? (process.env.FLUX_MANIFESTS || undefined),
    manifestsBaseUrl: options.manifestsBaseUrl ?? 'https://github.com/fluxcd/flux2/releases',
    kubeconfig: options.kubeconfig,
    context: options.context,
    timeout: duration('timeout', options.timeout ?? '5m', 'timeout'),
    keepNamespace: options.keepNamespace ?? false,
    force: options.force ?? false,
    ...resolveVerification(options),
  };

  if (resolved.provider !== 'generic') {
    for (const key of ['username', 'password'] as const) {
      if (resolved[key] !== undefined) {
        throw new UserError(
          `${describeOption(key)} is set together with ${describeOption('provider')} '${resolved.provider}': ` +
            'with a Workload Identity provider the registry login needs no credentials; remove one of them',
        );
      }
    }
  }
  if (resolved.password !== undefined && resolved.username === undefined) {
    throw new UserError(
      `${describeOption('password')} is set without ${describeOption('username')}: set both`,
    );
  }
  for (const [key, password] of [
    ['passwordRevision', 'password'],
    ['clusterPasswordRevision', 'clusterPassword'],
    ['registryCredsRevision', 'registryCreds'],
  ] as const) {
    if (options[key] !== undefined && resolved[password] === undefined) {
      throw new UserError(
        `${describeOption(key)} is set without ${describeOption(password)}: it counts that password's rotations; set both or neither`,
      );
    }
  }
  if (resolved.clusterPassword !== undefined && resolved.clusterUsername === undefined) {
    throw new UserError(
      `${describeOption('clusterPassword')} is set without ${describeOption('clusterUsername')}: set both`,
    );
  }
  if (resolved.clusterUrl === undefined) {
    for (const key of ['clusterUsername', 'clusterPassword'] as const) {
      if (resolved[key] !== undefined) {
        throw new UserError(
          `${describeOption(key)} is set but ${describeOption('clusterUrl')} is not: set the cluster artifact's URL`,
        );
      }
    }
  }
  // A provider that cannot log in to the registry fails here, before any progress line.
  if (resolved.provider !== 'generic') {
    checkProviderRegistry(resolved.provider, parseOciReference(resolved.url).registry);
    if (resolved.clusterUrl !== undefined && resolved.clusterUsername === undefined) {
      checkProviderRegistry(resolved.provider, parseOciReference(resolved.clusterUrl).registry);
    }
  }
  return resolved;
}

function requireOciUrl(key: keyof BootstrapOciOptions, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new UserError(
      `${describeOption(key)} is required: give the artifact's address as oci://<registry>/<repository>:<tag>`,
    );
  }
  if (!value.startsWith('oci://')) {
    throw new UserError(
      `${describeOption(key)} '${value}' is not an OCI URL: write it as oci://<registry>/<repository>:<tag>`,
    );
  }
  const reference = parseOciReference(value);
  if (reference.digest !== undefined) {
    throw new UserError(
      `${describeOption(key)} '${value}' pins a digest: give a tag for Flux to follow, e.g. oci://<registry>/<repository>:production`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  key: keyof BootstrapOciOptions,
  value: string,
  allowed: readonly T[],
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UserError(
      `${describeOption(key)} '${value}' is not supported: use one of ${allowed.join(', ')}`,
    );
  }
  return value as T;
}

/** A duration Flux's API accepts, in range for what keeps it (a timer or a Flux object). */
function duration(key: keyof BootstrapOciOptions, value: string, use: DurationUse): string {
  parseDuration(value, describeOption(key), use);
  return value;
}

/**
 * Basic auth joins user and password with the first ':' (RFC 7617): a user name holding
 * one would log in as another user. A deploy-time reference is checked when it is read.
 */
function username(
  key: 'username' | 'clusterUsername',
  value: string | undefined,
  isUnresolved: (value: string) => boolean,
): string | undefined {
  return value === undefined || isUnresolved(value)
    ? value
    : basicAuthUsername(describeOption(key), value);
}

/** A rotation counter: a whole number from 1, so raising it is the only way to change it. */
function revision(key: ConstructOnlyOption, value: number | undefined): number {
  if (value === undefined) return 1;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UserError(
      `${describeOption(key)} ${String(value)} is not a revision: give a whole number from 1 and raise it by one at each rotation`,
    );
  }
  return value;
}

/** The cluster registry's Secret: a Kubernetes name, not one the bootstrap gives another Secret. */
function secretName(value: string | undefined): string {
  if (value === undefined) return 'flux-system';
  checkDnsSubdomain(value, describeOption('secretName'));
  if (value === COMPONENTS_SYNC_NAME || value === CA_SECRET_NAME) {
    throw new UserError(
      `${describeOption('secretName')} '${value}' is the name of the bootstrap's ${value === CA_SECRET_NAME ? 'CA' : 'components registry'} Secret: choose another name`,
    );
  }
  if (value === COMPONENTS_VERIFY_SECRET_NAME || value === CLUSTER_VERIFY_SECRET_NAME) {
    throw new UserError(
      `${describeOption('secretName')} '${value}' is the name of the bootstrap's cosign public key Secret: choose another name`,
    );
  }
  return value;
}

/**
 * `user:password` for the image pull Secret, checked as Flux checks it; a deploy-time
 * reference (a sensitive variable) is checked when the step reads it.
 */
function registryCreds(
  options: BootstrapOciOptions,
  isUnresolved: (value: string) => boolean,
): string | undefined {
  const value = options.registryCreds;
  if (value === undefined) return undefined;
  const flag = describeOption('registryCreds');
  const pullSecret = describeOption('imagePullSecret');
  // The missing Secret name is checked first, so a reference needs no parsing to fail it.
  if (!isUnresolved(value) || !options.imagePullSecret) {
    parseRegistryCreds(value, options.imagePullSecret, flag, pullSecret);
  }
  if (
    [
      options.secretName ?? 'flux-system',
      COMPONENTS_SYNC_NAME,
      CA_SECRET_NAME,
      COMPONENTS_VERIFY_SECRET_NAME,
      CLUSTER_VERIFY_SECRET_NAME,
    ].includes(options.imagePullSecret!)
  ) {
    throw new UserError(
      `${pullSecret} '${options.imagePullSecret}' is also the name of a registry Secret of the bootstrap: with ${flag} choose another name`,
    );
  }
  return value;
}

function clusterPath(options: BootstrapOciOptions): string | undefined {
  if (options.clusterUrl === undefined) {
    if (options.clusterPath !== undefined) {
      throw new UserError(
        `${describeOption('clusterPath')} is set but ${describeOption('clusterUrl')} is not: set the cluster artifact's URL`,
      );
    }
    return undefined;
  }
  // As given (RFC: clusters/production), the artifact's root by default.
  const dir = clusterDirectory(options.clusterPath ?? './');
  return dir === '.' ? './' : dir;
}
