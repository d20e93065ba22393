import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../kube/client.js';
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
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const object = await client.get(ref);
    if (!object || !object.metadata.deletionTimestamp) return object;
    if (Date.now() >= deadline) return object;
    await sleep(Math.min(pollIntervalMs, Math.max(0, deadline - Date.now())));
  }
}
