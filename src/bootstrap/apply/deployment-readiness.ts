import type { KubeObject } from '../../kube/object.js';
import {
  failed,
  findCondition,
  inProgress,
  ready,
  statusField,
  unobservedGeneration,
  type Readiness,
} from './readiness.js';

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
