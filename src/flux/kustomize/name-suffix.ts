import { apiGroupOf, isPlainMap, type KubeObject } from '../../kube/object.js';

/** Kinds kustomize never renames with a prefix or suffix. */
const NEVER_RENAMED = new Set(['CustomResourceDefinition', 'Namespace', 'APIService']);

/**
 * Appends `suffix` to object names, as a kustomization's `nameSuffix:` does for RBAC objects,
 * and updates the references kustomize follows for them: a binding's roleRef to a renamed
 * (Cluster)Role and its ServiceAccount subjects. Enough for Flux's rbac.yaml; other kinds of
 * references are not followed.
 */
export function addNameSuffix(objects: readonly KubeObject[], suffix: string): void {
  const renamed = new Map<string, string>();
  for (const object of objects) {
    if (NEVER_RENAMED.has(object.kind)) continue;
    const newName = object.metadata.name + suffix;
    renamed.set(referenceKey(object.kind, object.metadata.name), newName);
    object.metadata.name = newName;
  }
  for (const object of objects) {
    if (apiGroupOf(object.apiVersion) !== 'rbac.authorization.k8s.io') continue;
    const roleRef = object.roleRef;
    if (
      isPlainMap(roleRef) &&
      typeof roleRef.kind === 'string' &&
      typeof roleRef.name === 'string'
    ) {
      const newName = renamed.get(referenceKey(roleRef.kind, roleRef.name));
      if (newName) roleRef.name = newName;
    }
    if (Array.isArray(object.subjects)) {
      for (const subject of object.subjects) {
        if (!isPlainMap(subject) || subject.kind !== 'ServiceAccount') continue;
        if (typeof subject.name !== 'string') continue;
        const newName = renamed.get(referenceKey('ServiceAccount', subject.name));
        if (newName) subject.name = newName;
      }
    }
  }
}

function referenceKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}
