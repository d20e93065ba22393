import type { ProgressLogger } from './progress-logger.js';
import type { SyncPlan } from './sync-plan.js';

/**
 * What every bootstrap phase takes besides the cluster and the options: each is
 * `run<Name>Phase(kube, options, phase)`, so the command, the construct's steps and
 * bootstrapOci call them alike.
 */
export interface PhaseContext {
  readonly logger: ProgressLogger;
  /** Where passwords named by the options are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The phases after the install one also take the plan the install's digest fixed. */
export interface PlannedPhaseContext extends PhaseContext {
  readonly plan: SyncPlan;
}
