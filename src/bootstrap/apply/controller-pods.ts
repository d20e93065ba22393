import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '../../kube/client.js';
import type { ProgressLogger } from './progress-logger.js';

/**
 * Waits until no pod matching `labelSelector` is left in the namespace: the Flux
 * controllers, after their Deployments were deleted. A controller still shutting down would
 * put its finalizer back on the objects uninstall strips, and then, when the CRDs go, prune
 * everything those Kustomizations applied. Returns the names still running at the deadline
 * (an empty list when all are gone).
 */
export async function waitForPodsGone(
  client: KubeClient,
  namespace: string,
  labelSelector: string,
  timeoutMs: number,
  logger: ProgressLogger,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const pods = await client.list('v1', 'Pod', { namespace, labelSelector });
    if (pods.length === 0) return [];
    if (Date.now() >= deadline) return pods.map((p) => p.metadata.name);
    if (!announced) {
      logger.waiting(`waiting for ${pods.length} Flux controller pod(s) in ${namespace} to stop`);
      announced = true;
    }
    await sleep(Math.min(1_000, Math.max(0, deadline - Date.now())));
  }
}
