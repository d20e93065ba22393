export {
  DEFAULT_FLUX_VERSION,
  MINIMUM_FLUX_VERSION,
  normalizeFluxVersion,
} from './flux-versions.js';
export { DEFAULT_COMPONENTS, EXTRA_COMPONENTS, resolveComponents } from './flux-components.js';
export {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NAMESPACE,
  DEFAULT_REGISTRY,
  LOG_LEVELS,
  resolveInstallOptions,
  type InstallOptions,
  type LogLevel,
  type ResolvedInstallOptions,
} from './install-options.js';
export { checkDnsLabel, checkDnsSubdomain, checkQualifiedName } from '../kube/names.js';
export { PINNED_MANIFEST_CHECKSUMS } from './manifests/checksums.js';
export { readBundleObjects, type ManifestsBundle } from './manifests/bundle.js';
export {
  EMBEDDED_FLUX_VERSION,
  EMBEDDED_MANIFESTS_FILE,
  loadEmbeddedManifests,
} from './manifests/embedded.js';
export {
  FLUX_MANIFESTS_ENV,
  FLUX_RELEASES_BASE_URL,
  loadLocalManifests,
  loadManifests,
  type ManifestsSourceOptions,
} from './manifests/source.js';
export {
  generateComponents,
  generatedHeader,
  type GeneratedComponents,
} from './generate-components.js';
export { writeArtifactFiles } from './artifact-files.js';
export {
  COMPONENTS_FILE,
  parseUserKustomization,
  readUserKustomization,
  type KustomizationPatch,
  type UserKustomization,
} from './kustomize/user-kustomization.js';
export { applyUserKustomization } from './kustomize/apply-kustomization.js';
export {
  componentsContent,
  defaultKustomization,
  type ComponentsContent,
} from './components-content.js';
export {
  applyImageOverrides,
  splitImage,
  type ImageOverride,
} from './kustomize/image-transformer.js';
export { strategicMerge } from './kustomize/strategic-merge-patch.js';
export { matchesTarget, type PatchTarget } from './kustomize/patch-target.js';
export {
  CLUSTER_SYNC_NAME,
  COMPONENTS_SYNC_NAME,
  checkRepositoryUrl,
  clusterSyncObjects,
  componentsSyncObjects,
  kustomizationObject,
  normalizeSyncPath,
  ociRepositoryObject,
  syncObjects,
  type OciSignatureVerification,
  type OciSyncOptions,
} from './sync-objects.js';
export {
  dockerConfigJson,
  exportSecretYaml,
  registryHostOf,
  registrySecretObject,
  registrySecretsFor,
  type RegistrySecretOptions,
} from './registry-secret.js';
export { caSecretObject, type CaSecretOptions } from './ca-secret.js';
export { cosignKeySecretObject, type CosignKeySecretOptions } from './cosign-key-secret.js';
export { clusterDirectory, emptyClusterArtifactFiles } from './cluster-artifact.js';
