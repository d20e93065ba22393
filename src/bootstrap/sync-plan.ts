import { clusterDirectory } from '../flux/cluster-artifact.js';
import type { KubeObject } from '../kube/object.js';
import {
  COMPONENTS_SYNC_NAME,
  clusterSyncObjects,
  componentsSyncObjects,
  type OciSyncOptions,
} from '../flux/sync-objects.js';
import { parseOciReference, type OciReference } from '../oci/reference.js';
import type { ResolvedBootstrapOptions } from './options/resolve-options.js';
import {
  CA_SECRET_NAME,
  CLUSTER_VERIFY_SECRET_NAME,
  COMPONENTS_VERIFY_SECRET_NAME,
} from './options/secret-names.js';

/** What phase 2 creates, named once for the command and the construct. */
export interface SyncPlan {
  /** OCIRepository and Kustomization `flux-components`, then `flux-system` if any. */
  readonly objects: readonly KubeObject[];
  /** The dockerconfigjson Secret of the components registry, if credentials are given. */
  readonly componentsSecret?: string;
  /** The dockerconfigjson Secret of the cluster registry, when it needs its own. */
  readonly clusterSecret?: string;
  /** The Secret with `ca.crt` for `certSecretRef`, when a CA file is given. */
  readonly caSecret?: string;
  /** The Secret with `cosign.pub` the `flux-components` OCIRepository verifies with. */
  readonly componentsVerifySecret?: string;
  /** The Secret with `cosign.pub` the `flux-system` OCIRepository verifies with. */
  readonly clusterVerifySecret?: string;
  /** The revision the `flux-components` objects report once they have the pushed artifact. */
  readonly componentsRevision: string;
  readonly components: OciReference;
  readonly cluster?: OciReference;
  /** Whether both artifacts live in the same registry (then credentials may be shared). */
  readonly sameRegistry: boolean;
}

/**
 * Names and builds the sync objects, an OCIRepository and a Kustomization per artifact as
 * the RFC describes them. The cluster artifact reuses the components Secret when both live
 * in the same registry and it has no credentials of its own.
 */
export function planSync(options: ResolvedBootstrapOptions, componentsDigest: string): SyncPlan {
  const components = parseOciReference(options.url);
  const cluster =
    options.clusterUrl === undefined ? undefined : parseOciReference(options.clusterUrl);
  const sameRegistry = cluster?.registry === components.registry;
  const componentsSecret = options.username !== undefined ? COMPONENTS_SYNC_NAME : undefined;
  const clusterSecret =
    options.clusterUsername !== undefined
      ? options.secretName
      : sameRegistry
        ? componentsSecret
        : undefined;
  const caSecret = options.caFile !== undefined ? CA_SECRET_NAME : undefined;
  const componentsVerifySecret =
    options.verifyPublicKey !== undefined || options.cosignKey !== undefined
      ? COMPONENTS_VERIFY_SECRET_NAME
      : undefined;
  const clusterVerifySecret =
    options.clusterVerifyPublicKey !== undefined ? CLUSTER_VERIFY_SECRET_NAME : undefined;
  const common = {
    namespace: options.namespace,
    provider: options.provider,
    certSecretName: caSecret,
    insecure: options.allowInsecureHttp,
    interval: options.interval,
    kustomizationInterval: options.kustomizationInterval,
    retryInterval: options.retryInterval,
  };

  const objects = [
    ...componentsSyncObjects({
      ...common,
      url: `oci://${components.registry}/${components.repository}`,
      ...(options.pinByDigest ? { digest: componentsDigest } : { tag: components.tag }),
      secretName: componentsSecret,
      ...(componentsVerifySecret
        ? { verify: { provider: 'cosign', secretName: componentsVerifySecret } }
        : {}),
    }),
  ];
  if (cluster && options.clusterPath !== undefined) {
    objects.push(
      ...clusterSyncObjects({
        ...common,
        url: `oci://${cluster.registry}/${cluster.repository}`,
        tag: cluster.tag,
        secretName: clusterSecret,
        path: clusterDirectory(options.clusterPath),
        ...clusterVerification(options, clusterVerifySecret),
      }),
    );
  }
  return {
    objects: objects.map(orphanOnDelete),
    componentsSecret,
    clusterSecret: clusterSecret === componentsSecret ? undefined : clusterSecret,
    caSecret,
    componentsVerifySecret,
    clusterVerifySecret,
    componentsRevision: options.pinByDigest
      ? componentsDigest
      : `${components.tag}@${componentsDigest}`,
    components,
    cluster,
    sameRegistry,
  };
}

/** `.spec.verify` of the `flux-system` OCIRepository: with a public key, or keyless. */
function clusterVerification(
  options: ResolvedBootstrapOptions,
  secretName: string | undefined,
): Pick<OciSyncOptions, 'verify'> {
  if (secretName) return { verify: { provider: 'cosign', secretName } };
  if (options.clusterVerifyIssuer !== undefined && options.clusterVerifySubject !== undefined) {
    const identity = { issuer: options.clusterVerifyIssuer, subject: options.clusterVerifySubject };
    return { verify: { provider: 'cosign', matchOidcIdentity: [identity] } };
  }
  return {};
}

/**
 * Deleting a bootstrap Kustomization (`cdktf destroy`) must leave what it applied running:
 * Flux's uninstall removes finalizers for that; a Terraform delete needs the policy.
 */
function orphanOnDelete(object: KubeObject): KubeObject {
  if (object.kind !== 'Kustomization') return object;
  return { ...object, spec: { ...(object.spec as object), deletionPolicy: 'Orphan' } };
}
