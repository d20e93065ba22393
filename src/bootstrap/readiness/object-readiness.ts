// The readiness rules, by kind: Deployments and CRDs as kstatus judges them, Flux objects as
// `flux bootstrap` does, anything else by kstatus's generic rules.
import { fluxGroupSuffix } from '../../flux/labels.js';
import { apiGroupOf, type KubeObject } from '../../kube/object.js';
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

/** Picks the readiness rules for the object's kind. */
export function objectReadiness(object: KubeObject, expectedRevision?: string): Readiness {
  if (object.kind === 'Deployment' && object.apiVersion === 'apps/v1') {
    return deploymentReadiness(object);
  }
  if (object.kind === 'CustomResourceDefinition') return crdReadiness(object);
  if (apiGroupOf(object.apiVersion).endsWith(fluxGroupSuffix)) {
    return fluxObjectReadiness(object, expectedRevision);
  }
  return genericReadiness(object);
}

/** Anything else: kstatus's generic rules (observed generation, then a Ready condition). */
function genericReadiness(object: KubeObject): Readiness {
  if (object.metadata.deletionTimestamp) return inProgress('being deleted');
  const unobserved = unobservedGeneration(object);
  if (unobserved) return inProgress(unobserved);
  const readyCondition = findCondition(object, 'Ready');
  if (readyCondition && readyCondition.status !== 'True') {
    return inProgress(formatCondition(readyCondition));
  }
  return ready(readyCondition ? formatCondition(readyCondition) : 'exists');
}

/** A CustomResourceDefinition is usable once its names are accepted and it is Established. */
export function crdReadiness(crd: KubeObject): Readiness {
  const namesAccepted = findCondition(crd, 'NamesAccepted');
  if (namesAccepted?.status === 'False') return failed(formatCondition(namesAccepted));
  const established = findCondition(crd, 'Established');
  if (established?.status === 'False' && established.reason !== 'Installing') {
    return failed(formatCondition(established));
  }
  if (established?.status === 'True' && namesAccepted?.status === 'True') {
    return ready('Established');
  }
  return inProgress(established ? formatCondition(established) : 'not Established yet');
}

/**
 * A Deployment's readiness by kstatus's rules (`sigs.k8s.io/cli-utils` deploymentConditions):
 * the latest generation observed, all replicas updated, available and ready, the new
 * ReplicaSet rolled out; a progress deadline exceeded is a failure.
 */
export function deploymentReadiness(deployment: KubeObject): Readiness {
  if (deployment.metadata.deletionTimestamp) return inProgress('being deleted');
  const unobserved = unobservedGeneration(deployment);
  if (unobserved) return inProgress(unobserved);

  const progressing = findCondition(deployment, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return failed(`progress deadline exceeded: ${progressing.message ?? ''}`.trim());
  }
  const spec = deployment.spec as { replicas?: number } | undefined;
  const wanted = spec?.replicas ?? 1;
  const count = (field: string) => statusField<number>(deployment, field) ?? 0;
  const replicas = count('replicas');
  const updated = count('updatedReplicas');
  const available = count('availableReplicas');
  const readyReplicas = count('readyReplicas');

  if (wanted > replicas) return inProgress(`Replicas: ${replicas}/${wanted}`);
  if (wanted > updated) return inProgress(`Updated: ${updated}/${wanted}`);
  if (replicas > wanted) return inProgress(`Pending termination: ${replicas - wanted}`);
  if (updated > available) return inProgress(`Available: ${available}/${updated}`);
  if (wanted > readyReplicas) return inProgress(`Ready: ${readyReplicas}/${wanted}`);
  if (!(progressing?.status === 'True' && progressing.reason === 'NewReplicaSetAvailable')) {
    return inProgress('ReplicaSet not Available');
  }
  if (findCondition(deployment, 'Available')?.status !== 'True') {
    return inProgress('Deployment not Available');
  }
  return ready(`Deployment is available. Replicas: ${replicas}`);
}

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
