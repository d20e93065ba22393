import type { KubeClient } from '../../kube/client.js';
import { pollUntil } from '../../kube/poll.js';
import type { KubeObject, ObjectRef } from '../../kube/object.js';

/**
 * Waits for an object that is being deleted to be gone, so it can be created afresh: applying
 * to it would only touch an object about to vanish (a reinstall right after an uninstall
 * meets CRDs and namespaces still finalizing). Returns the object if it is still there at the
 * deadline, undefined once it is gone.
 */
export async function waitUntilDeleted(
  client: KubeClient,
  ref: ObjectRef,
  timeoutMs: number,
  pollIntervalMs = 500,
): Promise<KubeObject | undefined> {
  const { seen } = await pollUntil(
    () => client.get(ref),
    (object) => !object || !object.metadata.deletionTimestamp,
    { timeoutMs, intervalMs: pollIntervalMs },
  );
  return seen;
}
