import { UserError } from '../errors.js';
import type { BootstrapOciOptions } from './options.js';
import { OPTION_FLAGS } from './option-flags.js';

/** The latest stable Flux release this package knows; the default `version`. */
export const DEFAULT_FLUX_VERSION = 'v2.9.4';

export const DEFAULT_COMPONENTS: readonly string[] = [
  'source-controller',
  'kustomize-controller',
  'helm-controller',
  'notification-controller',
];

/** Every option with its default applied and its value checked. */
export type ResolvedBootstrapOptions = Required<
  Omit<
    BootstrapOciOptions,
    | 'username'
    | 'password'
    | 'kustomization'
    | 'clusterUrl'
    | 'clusterUsername'
    | 'clusterPassword'
    | 'imagePullSecret'
    | 'caFile'
    | 'manifests'
    | 'kubeconfig'
    | 'context'
  >
> &
  Pick<
    BootstrapOciOptions,
    | 'username'
    | 'password'
    | 'kustomization'
    | 'clusterUrl'
    | 'clusterUsername'
    | 'clusterPassword'
    | 'imagePullSecret'
    | 'caFile'
    | 'manifests'
    | 'kubeconfig'
    | 'context'
  >;

const PROVIDERS = ['generic', 'aws', 'azure', 'gcp'] as const;
const LOG_LEVELS = ['debug', 'info', 'error'] as const;
// Go's time.ParseDuration syntax, which the Flux CRDs accept.
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Applies the defaults and validates every option before anything is built, pushed or
 * applied. `isUnresolved` tells which strings are deploy-time references (CDKTF tokens):
 * those are allowed only for credentials, which are never needed at synth time.
 */
export function resolveBootstrapOptions(
  options: BootstrapOciOptions,
  isUnresolved: (value: string) => boolean = () => false,
): ResolvedBootstrapOptions {
  const env = process.env;
  for (const key of Object.keys(options) as (keyof BootstrapOciOptions)[]) {
    if (!(key in OPTION_FLAGS)) {
      throw new UserError(`unknown option '${key}': see the options of flux bootstrap oci`);
    }
    const value = options[key];
    const credential =
      key === 'password' ||
      key === 'clusterPassword' ||
      key === 'username' ||
      key === 'clusterUsername';
    if (typeof value === 'string' && isUnresolved(value) && !credential) {
      throw new UserError(
        `${describe(key)} must be known at synth time, but it is a deploy-time reference; ` +
          'pass a plain string (only credentials may come from Terraform variables)',
      );
    }
  }

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
    clusterPath: relativePath('clusterPath', options.clusterPath ?? './'),
    clusterDomain: dnsName(
      'clusterDomain',
      options.clusterDomain ?? 'cluster.local',
      DNS_SUBDOMAIN,
    ),
    components: [...(options.components ?? DEFAULT_COMPONENTS)],
    componentsExtra: [...(options.componentsExtra ?? [])],
    imagePullSecret:
      options.imagePullSecret === undefined
        ? undefined
        : dnsName('imagePullSecret', options.imagePullSecret, DNS_SUBDOMAIN),
    logLevel: oneOf('logLevel', options.logLevel ?? 'info', LOG_LEVELS),
    networkPolicy: options.networkPolicy ?? true,
    registry: nonEmpty('registry', options.registry ?? 'ghcr.io/fluxcd'),
    tolerationKeys: [...(options.tolerationKeys ?? [])],
    version: version(options.version ?? DEFAULT_FLUX_VERSION),
    watchAllNamespaces: options.watchAllNamespaces ?? true,
    caFile: options.caFile,
    allowInsecureHttp: options.allowInsecureHttp ?? false,
    namespace: dnsName('namespace', options.namespace ?? 'flux-system', DNS_LABEL),
    interval: duration('interval', options.interval ?? '1m'),
    kustomizationInterval: duration('kustomizationInterval', options.kustomizationInterval ?? '1h'),
    retryInterval: duration('retryInterval', options.retryInterval ?? '5m'),
    pinByDigest: options.pinByDigest ?? false,
    manifests: options.manifests ?? (env.FLUX_MANIFESTS || undefined),
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
  for (const key of ['components', 'componentsExtra', 'tolerationKeys'] as const) {
    for (const item of resolved[key]) nonEmpty(key, item);
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

function dnsName(key: keyof BootstrapOciOptions, value: string, pattern: RegExp): string {
  const max = pattern === DNS_LABEL ? 63 : 253;
  if (!pattern.test(value) || value.length > max) {
    throw new UserError(
      `${describe(key)} '${value}' is not a valid Kubernetes name: use at most ${max} lower-case ` +
        `letters, digits and '-'${pattern === DNS_LABEL ? '' : " or '.'"}, starting and ending with a letter or digit`,
    );
  }
  return value;
}

function nonEmpty(key: keyof BootstrapOciOptions, value: string): string {
  if (value.trim() === '') throw new UserError(`${describe(key)} must not be empty`);
  return value;
}

function relativePath(key: keyof BootstrapOciOptions, value: string): string {
  const parts = value.split('/');
  if (value.startsWith('/') || parts.includes('..') || value.includes('\\')) {
    throw new UserError(
      `${describe(key)} '${value}' must be a relative path inside the artifact without '..', like ./clusters/production`,
    );
  }
  const trimmed = parts.filter((p) => p !== '' && p !== '.').join('/');
  return trimmed === '' ? './' : `./${trimmed}`;
}

function version(value: string): string {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?$/.exec(value);
  if (!match) {
    throw new UserError(
      `${describe('version')} '${value}' is not a Flux release version: write it like ${DEFAULT_FLUX_VERSION}`,
    );
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major !== 2 || minor < 6) {
    throw new UserError(
      `${describe('version')} '${value}' is not supported: Flux 2.6 is the first release with ` +
        'the source.toolkit.fluxcd.io/v1 OCIRepository; use v2.6.0 or later',
    );
  }
  return value.startsWith('v') ? value : `v${value}`;
}
