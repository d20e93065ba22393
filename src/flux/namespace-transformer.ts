import { isClusterScoped } from './cluster-scoped-kinds.js';
import type { KubeObject } from './kube-object.js';

/**
 * Sets the namespace of every namespaced object, as a kustomization's `namespace:` does:
 * cluster-scoped objects are left alone, except Namespace objects, which are renamed to it.
 * Binding subjects are not touched (kustomize does not either, which is why Flux rewrites
 * them in rbac.yaml itself).
 */
export function setNamespace(objects: readonly KubeObject[], namespace: string): void {
  for (const object of objects) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      object.metadata.name = namespace;
      continue;
    }
    if (isClusterScoped(object.apiVersion, object.kind)) continue;
    object.metadata.namespace = namespace;
  }
}
