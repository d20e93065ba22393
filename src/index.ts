export { UserError } from './errors.js';
export * from './cdktf/index.js';
export type { BootstrapOciOptions } from './bootstrap/options/options.js';
export {
  resolveBootstrapOptions,
  type ResolvedBootstrapOptions,
} from './bootstrap/options/resolve-options.js';
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
export type { PhaseContext, PlannedPhaseContext } from './bootstrap/phase.js';
export { runSecretsPhase } from './bootstrap/secrets-phase.js';
export { runSyncPhase, ensureClusterArtifact, waitForSync } from './bootstrap/sync-phase.js';
export { readOciLayout, writeOciLayout } from './oci/layout.js';
export * from './flux/index.js';
export {
  applyManifests,
  ApplyError,
  formatChangeSet,
  type ApplyAction,
  type ApplyManifestsOptions,
  type ChangeSetEntry,
} from './bootstrap/apply/index.js';
export {
  ReadinessError,
  waitForReady,
  type ReadinessTarget,
  type WaitOptions,
} from './bootstrap/readiness/index.js';
export {
  silentProgressLogger,
  stderrProgressLogger,
  type ProgressLogger,
} from './bootstrap/progress-logger.js';
export {
  uninstallFlux,
  type UninstallOptions,
  type UninstallReport,
} from './bootstrap/uninstall-phase.js';
export * from './oci/index.js';
export * from './kube/index.js';
export * from './flux/trace/index.js';
