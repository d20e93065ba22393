import type { KubeObject } from '../../kube/object.js';

export interface ApplyStages {
  /** CustomResourceDefinitions and Namespaces: everything else may depend on them. */
  readonly clusterDefinitions: KubeObject[];
  /** The rest, in their original order. */
  readonly resources: KubeObject[];
}

/** Splits objects the way `flux install` applies them (`fluxcd/pkg/ssa` IsClusterDefinition). */
export function splitApplyStages(objects: readonly KubeObject[]): ApplyStages {
  const clusterDefinitions: KubeObject[] = [];
  const resources: KubeObject[] = [];
  for (const object of objects) {
    (isClusterDefinition(object) ? clusterDefinitions : resources).push(object);
  }
  return { clusterDefinitions, resources };
}

export function isClusterDefinition(object: KubeObject): boolean {
  return (
    (object.kind === 'CustomResourceDefinition' &&
      object.apiVersion.startsWith('apiextensions.k8s.io/')) ||
    (object.kind === 'Namespace' && object.apiVersion === 'v1')
  );
}
