import { isPlainMap, type KubeObject, type PlainMap } from '../../kube/object.js';

/**
 * Adds `labels` to every object's metadata.labels and to the Deployments' pod template
 * labels, creating the maps where missing: the two field specs of the LabelTransformer in
 * the labels.yaml that `flux install` writes.
 */
export function addLabels(
  objects: readonly KubeObject[],
  labels: Readonly<Record<string, string>>,
): void {
  for (const object of objects) {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...labels };
    if (object.kind === 'Deployment') {
      const template = childMap(childMap(object, 'spec'), 'template');
      const metadata = childMap(template, 'metadata');
      metadata.labels = { ...(isPlainMap(metadata.labels) ? metadata.labels : {}), ...labels };
    }
  }
}

/** The map at `parent[key]`, created when missing. */
function childMap(parent: PlainMap, key: string): PlainMap {
  const value = parent[key];
  if (isPlainMap(value)) return value;
  const created: PlainMap = {};
  parent[key] = created;
  return created;
}
