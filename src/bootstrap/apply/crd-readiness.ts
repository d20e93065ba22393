import type { KubeObject } from '../../kube/object.js';
import {
  failed,
  findCondition,
  formatCondition,
  inProgress,
  ready,
  type Readiness,
} from './readiness.js';

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
