export { UserError } from './errors.js';
export * from './cdktf/index.js';
export type { BootstrapOciOptions } from './bootstrap/options.js';
export {
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from './bootstrap/resolve-options.js';
export {
  packComponents,
  unpackComponents,
  type PackedComponents,
} from './bootstrap/build-components.js';
export {
  upgradeComponents,
  type UpgradeComponentsOptions,
  type UpgradeComponentsResult,
} from './bootstrap/upgrade-components.js';
export { installedComponents, type InstalledComponents } from './flux/installed-components.js';
export { planSync, type SyncPlan } from './bootstrap/sync-plan.js';
export { bootstrapOci, kubeClientFor, type BootstrapResult } from './bootstrap/bootstrap-oci.js';
export {
  runInstallPhase,
  type InstallPhaseOptions,
  type InstallPhaseResult,
} from './bootstrap/install-phase.js';
export { runSecretsPhase } from './bootstrap/secrets-phase.js';
export { runSyncPhase, ensureClusterArtifact, waitForSync } from './bootstrap/sync-phase.js';
export { readOciLayout, writeOciLayout } from './oci/layout.js';
export * from './flux/index.js';
export {
  ApplyError,
  ReadinessError,
  applyManifests,
  formatChangeSet,
  silentProgressLogger,
  stderrProgressLogger,
  uninstallFlux,
  waitForReady,
  type ApplyAction,
  type ApplyManifestsOptions,
  type ChangeSetEntry,
  type ProgressLogger,
  type ReadinessTarget,
  type UninstallOptions,
  type UninstallReport,
  type WaitOptions,
} from './bootstrap/apply/index.js';
export * from './oci/index.js';
export * from './kube/index.js';
export * from './flux/trace/index.js';
