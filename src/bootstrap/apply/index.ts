// The applier: objects applied server-side in stages (CRDs and Namespaces first), the change
// set `flux` prints, drift, and Secrets kept out of messages.
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
