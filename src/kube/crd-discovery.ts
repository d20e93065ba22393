import { UserError } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { KubeClient } from './client.js';
import { pollUntil } from './poll.js';
import type { KubeObject } from './object.js';

interface CrdSpec {
  group: string;
  names: { kind: string };
  versions?: { name: string; served?: boolean }[];
}

/**
 * Waits until discovery lists the kinds of these CustomResourceDefinitions for every served
 * version. Established means the API server serves them; its discovery documents follow a
 * moment later, and objects of those kinds can only be addressed once they list them.
 */
export async function waitForCrdDiscovery(
  client: KubeClient,
  crds: readonly KubeObject[],
  timeoutMs: number,
  pollIntervalMs: number,
): Promise<void> {
  const wanted = crds.flatMap((crd) => {
    const spec = crd.spec as CrdSpec;
    return (spec.versions ?? [])
      .filter((v) => v.served !== false)
      .map((v) => ({ apiVersion: `${spec.group}/${v.name}`, kind: spec.names.kind }));
  });
  const deadline = Date.now() + timeoutMs;
  for (const { apiVersion, kind } of wanted) {
    const { done } = await pollUntil(
      async () => Boolean(await client.resourceFor(apiVersion, kind)),
      (listed) => listed,
      { timeoutMs: deadline - Date.now(), intervalMs: pollIntervalMs },
    );
    if (!done) {
      throw new UserError(
        `${kind} (${apiVersion}) is Established but not in the API server's discovery after ` +
          `${formatDuration(timeoutMs)}; check the API server's health`,
      );
    }
  }
}
