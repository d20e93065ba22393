// What `flux reconcile source oci <name>` does, so a test need not wait for the interval.
import { PatchStrategy, type KubernetesObjectApi } from '@kubernetes/client-node';

/** Annotates an OCIRepository in flux-system for reconciliation; returns the token used. */
export async function requestReconcile(
  objects: KubernetesObjectApi,
  name: string,
): Promise<string> {
  const requestedAt = new Date().toISOString();
  await objects.patch(
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: {
        name,
        namespace: 'flux-system',
        annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt },
      },
    },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
  return requestedAt;
}
