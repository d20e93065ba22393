import { crdReadiness } from './crd-readiness.js';
import { deploymentReadiness } from './deployment-readiness.js';
import { fluxGroupSuffix } from '../../flux/labels.js';
import { fluxObjectReadiness } from './flux-readiness.js';
import { apiGroupOf } from '../../kube/object.js';
import type { KubeObject } from '../../kube/object.js';
import {
  findCondition,
  formatCondition,
  inProgress,
  ready,
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
