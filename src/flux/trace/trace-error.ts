import { UserError } from '../../errors.js';

/**
 * Why an object cannot be traced to an OCI artifact:
 * - `notFound`: the object (or the Kustomization or OCIRepository it points at) does not exist;
 * - `notManaged`: no Flux label on it or its owners (applied by hand or another tool);
 * - `notKustomization`: managed by a HelmRelease, which `flux trace` follows;
 * - `notOciSource`: its Kustomization builds from a GitRepository, Bucket or ExternalArtifact.
 */
export type TraceFailure = 'notFound' | 'notManaged' | 'notKustomization' | 'notOciSource';

/** A trace that ends before the artifact; the message is one line saying why and what to do. */
export class TraceError extends UserError {
  constructor(
    readonly failure: TraceFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TraceError';
  }
}
