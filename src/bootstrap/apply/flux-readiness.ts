import type { KubeObject } from '../../kube/object.js';
import {
  failed,
  findCondition,
  formatCondition,
  inProgress,
  ready,
  statusField,
  unobservedGeneration,
  type Readiness,
} from './readiness.js';

/**
 * A Flux object's readiness as `flux bootstrap` checks it (`pkg/bootstrap` objectReconciled):
 * not suspended, the latest generation observed (by the status or by the Ready condition),
 * the expected revision attempted, `Ready=True`.
 * `Ready=False` is final once the expected revision was attempted (flux aborts there too), or
 * when the object is `Stalled=True` (Flux's mark for "retrying will not help"); otherwise the
 * controller is still retrying and the wait goes on.
 * @param expectedRevision `<tag>@sha256:<digest>`, as the OCIRepository reports what it pulled
 */
export function fluxObjectReadiness(object: KubeObject, expectedRevision?: string): Readiness {
  const spec = object.spec as { suspend?: boolean } | undefined;
  if (spec?.suspend) {
    return failed('suspended (spec.suspend is true): resume it with `flux resume`');
  }
  const readyCondition = findCondition(object, 'Ready');
  const readyText = readyCondition ? formatCondition(readyCondition) : 'no Ready condition yet';
  // kustomize-controller keeps status.observedGeneration at -1 until a first success, but
  // stamps the generation it judged on the Ready condition itself.
  const judgedCurrent = readyCondition?.observedGeneration === object.metadata.generation;
  const unobserved = unobservedGeneration(object);
  if (unobserved && !judgedCurrent) return inProgress(`${unobserved}; ${readyText}`);

  const stalled = findCondition(object, 'Stalled');
  if (stalled?.status === 'True') return failed(formatCondition(stalled));

  if (expectedRevision !== undefined) {
    const revision = attemptedRevision(object);
    if (revision !== expectedRevision) {
      const seen = revision ? `revision is ${revision}` : 'no revision yet';
      return inProgress(`${seen}, waiting for ${expectedRevision}; ${readyText}`);
    }
  }
  if (readyCondition?.status === 'True') {
    const revision = attemptedRevision(object);
    return ready(revision ? `${readyText} (revision ${revision})` : readyText);
  }
  if (readyCondition?.status === 'False' && expectedRevision !== undefined) {
    return failed(readyText);
  }
  return inProgress(readyText);
}

/**
 * The revision the controller last worked on: a source's artifact revision, or the
 * Kustomization's/HelmRelease's last attempted revision.
 */
export function attemptedRevision(object: KubeObject): string | undefined {
  const artifact = statusField<{ revision?: string }>(object, 'artifact');
  return artifact?.revision ?? statusField<string>(object, 'lastAttemptedRevision');
}
