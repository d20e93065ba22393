import { UserError } from '../errors.js';
import { DEFAULT_NAMESPACE } from './install-options.js';
import type { KubeObject } from '../kube/object.js';
import { checkDnsLabel, checkDnsSubdomain } from '../kube/names.js';

/** The Secret an OCIRepository's `certSecretRef` names, holding the registry's CA. */
export interface CaSecretOptions {
  readonly name: string;
  /**
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /** PEM CA certificate(s), e.g. the content of `--ca-file`. */
  readonly caCertificate: string;
  /** Where the certificate came from, for messages. @default 'the CA certificate' */
  readonly source?: string;
}

/** An Opaque Secret with `ca.crt`, the key source-controller reads for a registry CA. */
export function caSecretObject(options: CaSecretOptions): KubeObject {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  checkDnsSubdomain(options.name, 'CA secret name');
  checkDnsLabel(namespace, 'namespace');
  if (!options.caCertificate.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UserError(
      `${options.source ?? 'the CA certificate'} is not a PEM certificate (no BEGIN CERTIFICATE block); give the registry's CA in PEM form`,
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: options.name, namespace },
    stringData: { 'ca.crt': options.caCertificate },
    type: 'Opaque',
  };
}
