import { UserError } from '../errors.js';
import { DEFAULT_COMPONENTS, resolveComponents } from './flux-components.js';
import { checkDnsLabel, checkDnsSubdomain, checkQualifiedName } from '../kube/names.js';

/** The controllers' log levels `flux install --log-level` accepts. */
export const LOG_LEVELS = ['debug', 'info', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The options of `flux install`, shared by `install --export` and the bootstrap. */
export interface InstallOptions {
  /**
   * Namespace Flux is installed in.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Controllers to install.
   * @default DEFAULT_COMPONENTS
   */
  readonly components?: readonly string[];
  /**
   * Extra controllers, from EXTRA_COMPONENTS.
   * @default []
   */
  readonly componentsExtra?: readonly string[];
  /**
   * Registry the controller images are pulled from (`<registry>/<component>`).
   * @default 'ghcr.io/fluxcd'
   */
  readonly registry?: string;
  /**
   * Name of the Secret the controllers' pods use to pull their images.
   * @default - none
   */
  readonly imagePullSecret?: string;
  /**
   * Deny ingress to the controllers from other namespaces.
   * @default true
   */
  readonly networkPolicy?: boolean;
  /**
   * Watch custom resources in all namespaces, or only in Flux's own.
   * @default true
   */
  readonly watchAllNamespaces?: boolean;
  /**
   * The controllers' log level.
   * @default 'info'
   */
  readonly logLevel?: string;
  /**
   * The cluster's internal domain.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * Taint keys the controllers tolerate (operator Exists).
   * @default []
   */
  readonly tolerationKeys?: readonly string[];
}

/** InstallOptions with every default filled in and every value checked. */
export interface ResolvedInstallOptions {
  readonly namespace: string;
  /** Final component list: components then extras. */
  readonly components: readonly string[];
  readonly registry: string;
  readonly imagePullSecret: string;
  readonly networkPolicy: boolean;
  readonly watchAllNamespaces: boolean;
  readonly logLevel: LogLevel;
  readonly clusterDomain: string;
  readonly tolerationKeys: readonly string[];
}

export const DEFAULT_NAMESPACE = 'flux-system';
export const DEFAULT_REGISTRY = 'ghcr.io/fluxcd';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** Fills in defaults and checks every value, so bad input fails before anything is written. */
export function resolveInstallOptions(options: InstallOptions = {}): ResolvedInstallOptions {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  checkDnsLabel(namespace, 'namespace');
  const components = resolveComponents(
    options.components ?? DEFAULT_COMPONENTS,
    options.componentsExtra ?? [],
  );
  const logLevel = options.logLevel ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UserError(
      `log level "${logLevel}" is not supported; use one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const imagePullSecret = options.imagePullSecret ?? '';
  if (imagePullSecret !== '') checkDnsSubdomain(imagePullSecret, 'image pull secret name');
  const tolerationKeys = options.tolerationKeys ?? [];
  for (const key of tolerationKeys) checkQualifiedName(key, 'toleration key');
  const clusterDomain = options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  checkDnsSubdomain(clusterDomain, 'cluster domain');
  const registry = (options.registry ?? DEFAULT_REGISTRY).replace(/\/+$/, '');
  if (registry === '' || /\s|:\/\//.test(registry)) {
    throw new UserError(
      `registry "${options.registry}" is not an image registry path; give host[/path] without a scheme, e.g. ${DEFAULT_REGISTRY}`,
    );
  }
  return {
    namespace,
    components,
    registry,
    imagePullSecret,
    networkPolicy: options.networkPolicy ?? true,
    watchAllNamespaces: options.watchAllNamespaces ?? true,
    logLevel: logLevel as LogLevel,
    clusterDomain,
    tolerationKeys,
  };
}
