import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { isFluxDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { DEFAULT_NAMESPACE } from './install-options.js';
import type { KubeObject } from '../kube/object.js';
import { OCI_PROVIDERS, type OciProvider } from '../oci/provider.js';
import { checkDnsLabel, checkDnsSubdomain } from '../kube/names.js';

/** Name of the objects that make Flux follow its own components artifact. */
export const COMPONENTS_SYNC_NAME = 'flux-components';
/** Name of the objects that make Flux follow the cluster artifact. */
export const CLUSTER_SYNC_NAME = 'flux-system';

/** Signature verification of the artifact (OCIRepository `spec.verify`). */
export interface OciSignatureVerification {
  /**
   * @default 'cosign'
   */
  readonly provider?: 'cosign' | 'notation';
  /**
   * Secret holding the public keys (cosign: `*.pub`) or trust policy and certificates (notation).
   * @default - none: cosign keyless verification
   */
  readonly secretName?: string;
  /**
   * OIDC identities a keyless signature must match (regular expressions).
   * @default - any identity
   */
  readonly matchOidcIdentity?: readonly { readonly issuer: string; readonly subject: string }[];
}

/** An OCIRepository and the Kustomization that applies what it fetches. */
export interface OciSyncOptions {
  /** Name of both objects. */
  readonly name: string;
  /**
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /** Repository URL, `oci://host[:port]/path`, without tag or digest. */
  readonly url: string;
  /**
   * Tag to follow.
   * @default 'latest' (when no digest is given)
   */
  readonly tag?: string;
  /**
   * Digest to pin (`sha256:…`); wins over the tag.
   * @default - none
   */
  readonly digest?: string;
  /**
   * @default 'generic'
   */
  readonly provider?: OciProvider;
  /**
   * dockerconfigjson Secret with the registry credentials; not used with a cloud provider.
   * @default - none: anonymous, or the provider's workload identity
   */
  readonly secretName?: string;
  /**
   * Secret holding `ca.crt` (and optionally a client `tls.crt`/`tls.key`) for the registry's TLS.
   * @default - none: the system trust store
   */
  readonly certSecretName?: string;
  /**
   * Allow plain HTTP to the registry.
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * @default - no verification
   */
  readonly verify?: OciSignatureVerification;
  /**
   * How often the registry is checked.
   * @default '1m'
   */
  readonly interval?: string;
  /**
   * Path inside the artifact the Kustomization builds.
   * @default './'
   */
  readonly path?: string;
  /**
   * How often the Kustomization reconciles.
   * @default '1h'
   */
  readonly kustomizationInterval?: string;
  /**
   * Retry interval after a failed reconciliation.
   * @default '5m'
   */
  readonly retryInterval?: string;
  /**
   * Delete objects that disappear from the artifact.
   * @default true
   */
  readonly prune?: boolean;
}

const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The OCIRepository (source.toolkit.fluxcd.io/v1), checked against the Flux CRD schema. */
export function ociRepositoryObject(options: OciSyncOptions): KubeObject {
  const o = checkSyncOptions(options);
  const spec: Record<string, unknown> = { interval: options.interval ?? '1m' };
  if (options.certSecretName) spec.certSecretRef = { name: options.certSecretName };
  if (options.insecure) spec.insecure = true;
  if (o.provider !== 'generic') spec.provider = o.provider;
  spec.ref = options.digest ? { digest: options.digest } : { tag: options.tag ?? 'latest' };
  if (options.secretName) spec.secretRef = { name: options.secretName };
  spec.url = options.url;
  if (options.verify) spec.verify = verification(options.verify);
  const object = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: options.name, namespace: o.namespace },
    spec,
  };
  validate(() => new OCIRepository(object as never).validate(), object);
  return object;
}

/** The Kustomization (kustomize.toolkit.fluxcd.io/v1) applying the OCIRepository's artifact. */
export function kustomizationObject(options: OciSyncOptions): KubeObject {
  const o = checkSyncOptions(options);
  const object = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: options.name, namespace: o.namespace },
    spec: {
      interval: options.kustomizationInterval ?? '1h',
      path: normalizeSyncPath(options.path ?? './'),
      prune: options.prune ?? true,
      retryInterval: options.retryInterval ?? '5m',
      sourceRef: { kind: 'OCIRepository', name: options.name },
    },
  };
  validate(() => new Kustomization(object as never).validate(), object);
  return object;
}

/** The OCIRepository and Kustomization for one artifact, in apply order. */
export function syncObjects(options: OciSyncOptions): [KubeObject, KubeObject] {
  return [ociRepositoryObject(options), kustomizationObject(options)];
}

/** `flux-components`: Flux follows its own components artifact (path `./`). */
export function componentsSyncObjects(
  options: Omit<OciSyncOptions, 'name' | 'path'>,
): [KubeObject, KubeObject] {
  return syncObjects({ ...options, name: COMPONENTS_SYNC_NAME, path: './' });
}

/** `flux-system`: Flux follows the cluster artifact at the cluster's path. */
export function clusterSyncObjects(
  options: Omit<OciSyncOptions, 'name'>,
): [KubeObject, KubeObject] {
  return syncObjects({ ...options, name: CLUSTER_SYNC_NAME });
}

/** `./` + the path without leading `./` or `/`, as Flux writes Kustomization paths. */
export function normalizeSyncPath(path: string): string {
  const trimmed = path.replace(/^(\.\/|\/)+/, '').replace(/\/+$/, '');
  if (trimmed.split('/').includes('..')) {
    throw new UserError(
      `path "${path}" climbs out of the artifact with ".."; give a path inside it`,
    );
  }
  return trimmed === '' || trimmed === '.' ? './' : `./${trimmed}`;
}

function checkSyncOptions(options: OciSyncOptions): { namespace: string; provider: OciProvider } {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  checkDnsLabel(namespace, 'namespace');
  checkDnsSubdomain(options.name, 'object name');
  const provider = options.provider ?? 'generic';
  if (!OCI_PROVIDERS.includes(provider)) {
    throw new UserError(
      `provider "${provider}" is not supported; use one of ${OCI_PROVIDERS.join(', ')}`,
    );
  }
  checkRepositoryUrl(options.url);
  if (options.tag !== undefined && !TAG.test(options.tag)) {
    throw new UserError(
      `tag "${options.tag}" is not a valid OCI tag: use letters, digits, '_', '.' and '-' (at most 128)`,
    );
  }
  if (options.digest !== undefined && !DIGEST.test(options.digest)) {
    throw new UserError(
      `digest "${options.digest}" is not a sha256 digest; give sha256:<64 hex digits>`,
    );
  }
  if (options.secretName) {
    checkDnsSubdomain(options.secretName, 'secret name');
    if (provider !== 'generic') {
      throw new UserError(
        `a registry Secret ("${options.secretName}") cannot be combined with provider ${provider}: source-controller authenticates with the workload identity; drop the credentials or use provider generic`,
      );
    }
  }
  for (const [flag, value] of [
    ['interval', options.interval],
    ['Kustomization interval', options.kustomizationInterval],
    ['retry interval', options.retryInterval],
  ] as const) {
    if (value !== undefined && !isFluxDuration(value)) {
      throw new UserError(`${flag} "${value}" is not a duration; write it like 1m, 30s or 1h30m`);
    }
  }
  if (options.certSecretName) checkDnsSubdomain(options.certSecretName, 'CA secret name');
  if (options.verify?.secretName)
    checkDnsSubdomain(options.verify.secretName, 'verification secret name');
  return { namespace, provider };
}

/** Throws unless `url` is `oci://host/path` without tag or digest, as OCIRepository requires. */
export function checkRepositoryUrl(url: string): void {
  const match = /^oci:\/\/([^/\s]+)\/(\S+)$/.exec(url);
  if (!match) {
    throw new UserError(
      `"${url}" is not an OCI repository URL; write it as oci://<registry>/<repository>`,
    );
  }
  const path = match[2];
  if (path.includes('@') || path.split('/').pop()!.includes(':')) {
    throw new UserError(
      `"${url}" includes a tag or digest; give the repository URL without it and the tag separately`,
    );
  }
}

function verification(verify: OciSignatureVerification): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (verify.matchOidcIdentity && verify.matchOidcIdentity.length > 0) {
    result.matchOIDCIdentity = verify.matchOidcIdentity.map((m) => ({
      issuer: m.issuer,
      subject: m.subject,
    }));
  }
  result.provider = verify.provider ?? 'cosign';
  if (verify.secretName) result.secretRef = { name: verify.secretName };
  return result;
}

function validate(check: () => void, object: KubeObject): void {
  try {
    check();
  } catch (err) {
    throw new UserError(
      `the ${object.kind} ${object.metadata.name} does not match the Flux CRD schema: ${(err as Error).message}; check the sync options`,
    );
  }
}
