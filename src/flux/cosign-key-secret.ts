import { UserError } from '../errors.js';
import { DEFAULT_NAMESPACE } from './install-options.js';
import type { KubeObject } from '../kube/object.js';
import { checkDnsLabel, checkDnsSubdomain } from '../kube/names.js';

/** The Secret an OCIRepository's `.spec.verify.secretRef` names, holding a cosign public key. */
export interface CosignKeySecretOptions {
  readonly name: string;
  /**
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /** The public key, PEM (`-----BEGIN PUBLIC KEY-----`). */
  readonly publicKey: string;
}

/**
 * An Opaque Secret with `cosign.pub`: source-controller verifies with every entry whose
 * name ends in `.pub`.
 */
export function cosignKeySecretObject(options: CosignKeySecretOptions): KubeObject {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  checkDnsSubdomain(options.name, 'cosign key secret name');
  checkDnsLabel(namespace, 'namespace');
  if (!options.publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new UserError(`the Secret ${options.name} needs a PEM public key (BEGIN PUBLIC KEY)`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: options.name, namespace },
    stringData: { 'cosign.pub': options.publicKey },
    type: 'Opaque',
  };
}
