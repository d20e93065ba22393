// The Kubernetes applier: staged server-side apply, readiness waits and
// uninstall, shared by `flux-oci bootstrap oci`, `flux-oci uninstall` and the CDKTF pre-apply
// step.
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
export * from '../../flux/labels.js';
