import { UserError } from '../errors.js';
import { DEFAULT_NAMESPACE } from './install-options.js';
import type { KubeObject } from '../kube/object.js';
import { checkDnsLabel, checkDnsSubdomain } from '../kube/names.js';
import type { OciProvider } from '../oci/provider.js';
import { sortKeys, stringifyYaml } from '../kube/manifests.js';

/** A registry credentials Secret (`kubernetes.io/dockerconfigjson`), as `flux create secret oci` makes it. */
export interface RegistrySecretOptions {
  readonly name: string;
  /**
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /** The registry address used as the key under `auths` (e.g. `ghcr.io`). */
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

/** The Secret; the credentials are in `stringData`, as Flux writes them. */
export function registrySecretObject(options: RegistrySecretOptions): KubeObject {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  checkDnsSubdomain(options.name, 'secret name');
  checkDnsLabel(namespace, 'namespace');
  if (!options.registry)
    throw new UserError('the registry address is empty; give --url, e.g. ghcr.io');
  if (!options.username) throw new UserError('the registry username is empty; give --username');
  if (!options.password) {
    throw new UserError(
      'the registry password is empty; give it on standard input or in OCI_PASSWORD',
    );
  }
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: options.name, namespace },
    stringData: {
      '.dockerconfigjson': dockerConfigJson(options.registry, options.username, options.password),
    },
    type: 'kubernetes.io/dockerconfigjson',
  };
}

/**
 * The Secrets the sync needs for one registry: none with a cloud provider (source-controller
 * uses the workload identity) or without credentials, else one dockerconfigjson Secret.
 */
export function registrySecretsFor(
  provider: OciProvider,
  options: Partial<RegistrySecretOptions> & Pick<RegistrySecretOptions, 'name' | 'registry'>,
): KubeObject[] {
  if (provider !== 'generic' || (!options.username && !options.password)) return [];
  return [registrySecretObject(options as RegistrySecretOptions)];
}

/** `{"auths":{"<registry>":{"username","password","auth"}}}`, indented by two spaces. */
export function dockerConfigJson(registry: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  return JSON.stringify({ auths: { [registry]: { username, password, auth } } }, null, 2);
}

/** The registry host of an `oci://host/path` URL (the key Flux's own Secrets use). */
export function registryHostOf(url: string): string {
  return url.replace(/^oci:\/\//, '').split('/')[0];
}

/** A Secret as `flux create secret ... --export` prints it: `---`, then YAML with sorted keys. */
export function exportSecretYaml(secret: KubeObject): string {
  return `---\n${stringifyYaml(sortKeys(secret))}`;
}
