// The Kubernetes layer: kubeconfig and connection, the REST client with its retries and
// discovery, API errors, and objects as plain data with one manifest parser. It knows nothing
// of Flux; the flux and bootstrap layers build on it.
export { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';
export { connectToCluster, type ClusterConnectionOptions } from './connect.js';
export {
  KubeClient,
  type KubeClientOptions,
  type ListObjectsOptions,
  type RequestOptions,
  type WriteOptions,
} from './client.js';
export { KubeApiError, isNotFound } from './api-error.js';
export { ApiResources, type ApiResource } from './discovery.js';
export { waitForCrdDiscovery } from './crd-discovery.js';
export {
  formatRef,
  refOf,
  toRef,
  type KubeObject,
  type KubeObjectMetadata,
  type ObjectRef,
  type ObjectTarget,
  type PlainMap,
} from './object.js';
export { parseManifests, stringifyManifests, stringifyYaml } from './manifests.js';
