// `flux trace` for objects applied from an OCI artifact: the object, its Kustomization, the
// OCIRepository and the Git origin of the artifact.
export { traceObject, type TraceTarget } from './trace-object.js';
export { formatTrace } from './format-trace.js';
export { TraceError, type TraceFailure } from './trace-error.js';
export type {
  ObjectTrace,
  ReadyCondition,
  TracedKustomization,
  TracedObject,
  TracedOciRepository,
  TracedOrigin,
} from './object-trace.js';
