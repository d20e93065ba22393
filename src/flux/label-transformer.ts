import type { KubeObject } from './kube-object.js';

/** Adds `labels` to every object's metadata.labels (Flux's labels.yaml LabelTransformer). */
export function addLabels(
  objects: readonly KubeObject[],
  labels: Readonly<Record<string, string>>,
): void {
  for (const object of objects) {
    object.metadata.labels = { ...(object.metadata.labels ?? {}), ...labels };
  }
}
