import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/object.js';

/** The Flux object that manages another: a Kustomization or a HelmRelease. */
export interface FluxManager {
  readonly name: string;
  readonly namespace: string;
}

/** The label prefixes of the two Flux appliers (`<group>/name`, `<group>/namespace`). */
export const KUSTOMIZE_GROUP = 'kustomize.toolkit.fluxcd.io';
export const HELM_GROUP = 'helm.toolkit.fluxcd.io';

// Owner chains are short (Pod → ReplicaSet → Deployment); a longer one is a cycle.
const maxOwnerDepth = 8;

/**
 * The Flux object of `group` that applied `object`, from its `<group>/name` and
 * `<group>/namespace` labels, else from the first owner (through ownerReferences, in the
 * object's namespace) that carries them: a Pod is traced through its ReplicaSet to the
 * Deployment Flux applied, as `flux trace` does. Undefined when nothing in the chain has them.
 */
export async function findFluxManager(
  client: KubeClient,
  object: KubeObject,
  group: string,
  depth = 0,
): Promise<FluxManager | undefined> {
  const labels = object.metadata.labels ?? {};
  const name = labels[`${group}/name`];
  if (name) {
    const namespace = labels[`${group}/namespace`] || object.metadata.namespace || '';
    return { name, namespace };
  }
  if (depth >= maxOwnerDepth) return undefined;
  const owners = (object.metadata.ownerReferences ?? []) as {
    apiVersion: string;
    kind: string;
    name: string;
  }[];
  for (const owner of owners) {
    // An owner of a kind the cluster no longer serves, or one deleted, ends that chain.
    if (!(await client.resourceFor(owner.apiVersion, owner.kind))) continue;
    const found = await client.get({ ...owner, namespace: object.metadata.namespace });
    if (!found) continue;
    const manager = await findFluxManager(client, found, group, depth + 1);
    if (manager) return manager;
  }
  return undefined;
}
