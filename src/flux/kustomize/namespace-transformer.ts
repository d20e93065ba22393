import { isClusterScoped } from './cluster-scoped-kinds.js';
import { isPlainMap, type KubeObject } from '../../kube/object.js';

const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

/**
 * Sets the namespace of every namespaced object, as a kustomization's `namespace:` does:
 * cluster-scoped objects are left alone, except Namespace objects, which are renamed to it.
 * Binding subjects follow kustomize's rules: one named `default` (any kind) gets the
 * namespace, and so does a ServiceAccount subject naming an account moved here (a subject
 * without namespace means the binding's own); others are not touched, which is why Flux
 * rewrites the subjects of rbac.yaml itself.
 */
export function setNamespace(objects: readonly KubeObject[], namespace: string): void {
  const movedAccounts = new Set(
    objects
      .filter((o) => o.kind === 'ServiceAccount' && o.apiVersion === 'v1')
      .map((o) => `${o.metadata.name}/${o.metadata.namespace ?? ''}`),
  );
  for (const object of objects) {
    if (!BINDING_KINDS.has(object.kind) || !Array.isArray(object.subjects)) continue;
    if (!object.apiVersion.startsWith('rbac.authorization.k8s.io/')) continue;
    for (const subject of object.subjects) {
      if (!isPlainMap(subject)) continue;
      if (subject.name === 'default') {
        subject.namespace = namespace;
        continue;
      }
      if (subject.kind !== 'ServiceAccount') continue;
      const subjectNamespace = subject.namespace ?? object.metadata.namespace ?? '';
      if (movedAccounts.has(`${String(subject.name)}/${String(subjectNamespace)}`)) {
        subject.namespace = namespace;
      }
    }
  }
  for (const object of objects) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1') {
      object.metadata.name = namespace;
      continue;
    }
    if (isClusterScoped(object.apiVersion, object.kind)) continue;
    object.metadata.namespace = namespace;
  }
}
