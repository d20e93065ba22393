// The Kubernetes applier: cluster connection, staged server-side apply, readiness waits and
// uninstall, shared by `flux-oci bootstrap oci`, `flux-oci uninstall` and the CDKTF pre-apply
// step.
export { loadKubeConfig, type KubeConfigOptions } from './kubeconfig.js';
export { connectToCluster, type ClusterConnectionOptions } from './connect.js';
export {
  KubeClient,
  type KubeClientOptions,
  type ListOptions,
  type RequestOptions,
  type WriteOptions,
} from './kube-client.js';
export { KubeApiError, isNotFound } from './kube-api-error.js';
export {
  formatRef,
  refOf,
  type KubeObject,
  type KubeObjectMeta,
  toRef,
  type ObjectRef,
  type ObjectTarget,
} from './kube-object.js';
export { parseManifests } from './parse-manifests.js';
export { splitApplyStages, isClusterDefinition, type ApplyStages } from './apply-stages.js';
export { applyManifests, type ApplyManifestsOptions } from './apply-manifests.js';
export { ApplyError, type ApplyFailure } from './apply-error.js';
export {
  formatChange,
  formatChangeSet,
  type ApplyAction,
  type ChangeSetEntry,
} from './change-set.js';
export type { KustomizationName } from './server-side-apply.js';
export { waitForReady, type ReadinessTarget, type WaitOptions } from './wait-for-ready.js';
export { ReadinessError, type NotReady } from './readiness-error.js';
export { objectReadiness } from './object-readiness.js';
export { deploymentReadiness } from './deployment-readiness.js';
export { fluxObjectReadiness, attemptedRevision } from './flux-readiness.js';
export { crdReadiness } from './crd-readiness.js';
export type { Readiness, ReadinessState, Condition } from './readiness.js';
export { uninstallFlux, type UninstallOptions, type UninstallReport } from './uninstall-flux.js';
export { UninstallError } from './uninstall-error.js';
export {
  stderrProgressLogger,
  silentProgressLogger,
  type ProgressLogger,
} from './progress-logger.js';
export * from './flux-labels.js';
