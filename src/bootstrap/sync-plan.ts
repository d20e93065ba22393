import { registryHost } from './registry-host.js';
import type { ResolvedBootstrapOptions } from './resolve-options.js';

/** A Kubernetes object as plain data, ready to apply or to hand to `kubernetes_manifest`. */
export interface SyncObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: Record<string, unknown>;
}

/** What phase 2 creates, named once for the command and the construct. */
export interface SyncPlan {
  /** OCIRepositories then Kustomizations: `flux-components`, then `flux-system` if any. */
  readonly objects: readonly SyncObject[];
  /** The dockerconfigjson Secret of the components registry, if credentials are given. */
  readonly componentsSecret?: string;
  /** The dockerconfigjson Secret of the cluster registry, when it needs its own. */
  readonly clusterSecret?: string;
  /** The Secret with `ca.crt` for `certSecretRef`, when a CA file is given. */
  readonly caSecret?: string;
  /** `<tag>@<digest>`: the revision the `flux-components` objects must report. */
  readonly componentsRevision: string;
}

export const COMPONENTS_NAME = 'flux-components';
export const CLUSTER_NAME = 'flux-system';
export const CA_SECRET_NAME = 'flux-registry-ca';

/**
 * Names and builds the sync objects: an OCIRepository and a Kustomization per artifact, as
 * the RFC describes them. The cluster artifact reuses the components Secret when both live
 * in the same registry and no other credentials are given.
 */
export function planSync(options: ResolvedBootstrapOptions, componentsDigest: string): SyncPlan {
  const components = splitOciUrl(options.url);
  const componentsSecret = options.username !== undefined ? COMPONENTS_NAME : undefined;
  const caSecret = options.caFile !== undefined ? CA_SECRET_NAME : undefined;
  const objects: SyncObject[] = [
    ociRepository(options, COMPONENTS_NAME, {
      url: components.repository,
      ref: options.pinByDigest ? { digest: componentsDigest } : { tag: components.tag },
      secretName: componentsSecret,
      caSecret,
    }),
    kustomization(options, COMPONENTS_NAME, './'),
  ];
  let clusterSecret: string | undefined;
  if (options.clusterUrl !== undefined) {
    const cluster = splitOciUrl(options.clusterUrl);
    const sameRegistry = registryHost(options.clusterUrl) === registryHost(options.url);
    clusterSecret =
      options.clusterUsername !== undefined
        ? CLUSTER_NAME
        : sameRegistry
          ? componentsSecret
          : undefined;
    objects.push(
      ociRepository(options, CLUSTER_NAME, {
        url: cluster.repository,
        ref: { tag: cluster.tag },
        secretName: clusterSecret,
        caSecret,
      }),
      kustomization(options, CLUSTER_NAME, options.clusterPath),
    );
  }
  return {
    objects,
    componentsSecret,
    clusterSecret: clusterSecret === componentsSecret ? undefined : clusterSecret,
    caSecret,
    componentsRevision: `${components.tag}@${componentsDigest}`,
  };
}

function ociRepository(
  options: ResolvedBootstrapOptions,
  name: string,
  source: {
    url: string;
    ref: Record<string, string>;
    secretName?: string;
    caSecret?: string;
  },
): SyncObject {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name, namespace: options.namespace },
    spec: {
      interval: options.interval,
      url: source.url,
      ref: source.ref,
      ...(options.provider !== 'generic' ? { provider: options.provider } : {}),
      ...(source.secretName ? { secretRef: { name: source.secretName } } : {}),
      ...(source.caSecret ? { certSecretRef: { name: source.caSecret } } : {}),
      ...(options.allowInsecureHttp ? { insecure: true } : {}),
    },
  };
}

function kustomization(options: ResolvedBootstrapOptions, name: string, path: string): SyncObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: options.namespace },
    spec: {
      interval: options.kustomizationInterval,
      retryInterval: options.retryInterval,
      path,
      prune: true,
      // Deleting the Kustomization (cdktf destroy) leaves what it applied running.
      deletionPolicy: 'Orphan',
      sourceRef: { kind: 'OCIRepository', name },
    },
  };
}

/** `oci://host/repo:tag` → the OCIRepository URL (no tag) and the tag (default `latest`). */
function splitOciUrl(url: string): { repository: string; tag: string } {
  const withoutScheme = url.slice('oci://'.length);
  const slash = withoutScheme.indexOf('/');
  const colon = withoutScheme.lastIndexOf(':');
  if (colon > slash && slash >= 0) {
    return {
      repository: `oci://${withoutScheme.slice(0, colon)}`,
      tag: withoutScheme.slice(colon + 1),
    };
  }
  return { repository: url, tag: 'latest' };
}
