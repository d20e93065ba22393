// Readiness: the rules by kind (kstatus's, and `flux bootstrap`'s for Flux objects) and the
// wait that polls a set of objects until all are ready, one fails, or the time is up.
export { waitForReady, type ReadinessTarget, type WaitOptions } from './wait-for-ready.js';
export { ReadinessError, type NotReady } from './readiness-error.js';
export {
  attemptedRevision,
  crdReadiness,
  deploymentReadiness,
  fluxObjectReadiness,
  objectReadiness,
} from './object-readiness.js';
export type { Readiness, ReadinessState, Condition } from './readiness.js';
