import { UserError } from '../errors.js';
import { DEFAULT_COMPONENTS } from '../flux/flux-components.js';
import { DEFAULT_FLUX_VERSION, normalizeFluxVersion } from '../flux/flux-versions.js';
import { clusterDirectory } from '../flux/cluster-artifact.js';
import { resolveInstallOptions } from '../flux/install-options.js';
import { parseOciReference } from '../oci/reference.js';
import type { BootstrapOciOptions } from './options.js';
import { OPTION_FLAGS } from './option-flags.js';

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
  | 'caFile'
  | 'manifests'
  | 'kubeconfig'
  | 'context';

/** Every option with its default applied and its value checked. */
export type ResolvedBootstrapOptions = Required<Omit<BootstrapOciOptions, WithoutDefault>> &
  Pick<BootstrapOciOptions, WithoutDefault>;

const PROVIDERS = ['generic', 'aws', 'azure', 'gcp'] as const;
/**
 * Options that may be deploy-time references in the construct (another resource's
 * output): they only reach the steps' commands, never the artifact or the plan's objects.
 */
const DEPLOY_TIME_KEYS: ReadonlySet<keyof BootstrapOciOptions> = new Set([
  'username',
  'password',
  'clusterUsername',
  'clusterPassword',
  'kubeconfig',
  'context',
]);
// Go's time.ParseDuration syntax, which the Flux CRDs accept.
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

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
    if (!(key in OPTION_FLAGS)) {
      throw new UserError(`unknown option '${key}': see the options of flux bootstrap oci`);
    }
    const value = options[key];
    if (typeof value === 'string' && isUnresolved(value) && !DEPLOY_TIME_KEYS.has(key)) {
      throw new UserError(
        `${describe(key)} must be known at synth time, but it is a deploy-time reference; ` +
          'pass a plain string (only the credentials and the cluster connection may come from Terraform)',
      );
    }
  }

  // The install options are checked by the Flux layer, which `flux-oci install` shares.
  const install = resolveInstallOptions(options);
  const resolved: ResolvedBootstrapOptions = {
    url: requireOciUrl('url', options.url),
    username: options.username,
    password: options.password,
    provider: oneOf('provider', options.provider ?? 'generic', PROVIDERS),
    kustomization: options.kustomization,
    clusterUrl:
      options.clusterUrl === undefined
        ? undefined
        : requireOciUrl('clusterUrl', options.clusterUrl),
    clusterUsername: options.clusterUsername,
    clusterPassword: options.clusterPassword,
    clusterPath: clusterPath(options),
    clusterDomain: install.clusterDomain,
    components: [...(options.components ?? DEFAULT_COMPONENTS)],
    componentsExtra: [...(options.componentsExtra ?? [])],
    imagePullSecret: options.imagePullSecret,
    logLevel: install.logLevel,
    networkPolicy: install.networkPolicy,
    registry: install.registry,
    tolerationKeys: [...install.tolerationKeys],
    version: normalizeFluxVersion(options.version ?? DEFAULT_FLUX_VERSION),
    watchAllNamespaces: install.watchAllNamespaces,
    caFile: options.caFile,
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    namespace: install.namespace,
    interval: duration('interval', options.interval ?? '1m'),
    kustomizationInterval: duration('kustomizationInterval', options.kustomizationInterval ?? '1h'),
    retryInterval: duration('retryInterval', options.retryInterval ?? '5m'),
    pinByDigest: options.pinByDigest ?? false,
    manifests: options.manifests ?? (process.env.FLUX_MANIFESTS || undefined),
    manifestsBaseUrl: options.manifestsBaseUrl ?? 'https://github.com/fluxcd/flux2/releases',
    kubeconfig: options.kubeconfig,
    context: options.context,
    timeout: duration('timeout', options.timeout ?? '5m'),
    keepNamespace: options.keepNamespace ?? false,
  };

  if (resolved.provider !== 'generic') {
    for (const key of ['username', 'password'] as const) {
      if (resolved[key] !== undefined) {
        throw new UserError(
          `${describe(key)} is set together with ${describe('provider')} '${resolved.provider}': ` +
            'with a Workload Identity provider the registry login needs no credentials; remove one of them',
        );
      }
    }
  }
  if (resolved.password !== undefined && resolved.username === undefined) {
    throw new UserError(`${describe('password')} is set without ${describe('username')}: set both`);
  }
  if (resolved.clusterPassword !== undefined && resolved.clusterUsername === undefined) {
    throw new UserError(
      `${describe('clusterPassword')} is set without ${describe('clusterUsername')}: set both`,
    );
  }
  if (resolved.clusterUrl === undefined) {
    for (const key of ['clusterUsername', 'clusterPassword'] as const) {
      if (resolved[key] !== undefined) {
        throw new UserError(
          `${describe(key)} is set but ${describe('clusterUrl')} is not: set the cluster artifact's URL`,
        );
      }
    }
  }
  return resolved;
}

/** `--cluster-url` for the command, `clusterUrl` for the construct: both, so either reader knows. */
export function describe(key: keyof BootstrapOciOptions): string {
  return `${OPTION_FLAGS[key].flag} (${key})`;
}

function requireOciUrl(key: keyof BootstrapOciOptions, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new UserError(
      `${describe(key)} is required: give the artifact's address as oci://<registry>/<repository>:<tag>`,
    );
  }
  if (!value.startsWith('oci://')) {
    throw new UserError(
      `${describe(key)} '${value}' is not an OCI URL: write it as oci://<registry>/<repository>:<tag>`,
    );
  }
  const reference = parseOciReference(value);
  if (reference.digest !== undefined) {
    throw new UserError(
      `${describe(key)} '${value}' pins a digest: give a tag for Flux to follow, e.g. oci://<registry>/<repository>:production`,
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
      `${describe(key)} '${value}' is not supported: use one of ${allowed.join(', ')}`,
    );
  }
  return value as T;
}

function duration(key: keyof BootstrapOciOptions, value: string): string {
  if (!GO_DURATION.test(value)) {
    throw new UserError(
      `${describe(key)} '${value}' is not a duration: write it like 30s, 5m or 1h30m`,
    );
  }
  return value;
}

function clusterPath(options: BootstrapOciOptions): string | undefined {
  if (options.clusterUrl === undefined) {
    if (options.clusterPath !== undefined) {
      throw new UserError(
        `${describe('clusterPath')} is set but ${describe('clusterUrl')} is not: set the cluster artifact's URL`,
      );
    }
    return undefined;
  }
  if (options.clusterPath === undefined) {
    throw new UserError(
      `${describe('clusterPath')} is required with ${describe('clusterUrl')}: name the cluster's ` +
        'directory in the artifact, e.g. production for clusters/production',
    );
  }
  clusterDirectory(options.clusterPath);
  return options.clusterPath.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
}
