import type { KubeClient } from '../../kube/client.js';
import type { KubeObject } from '../../kube/object.js';
import {
  helmReleaseNameLabel,
  helmReleaseNamespaceLabel,
  kustomizationNameLabel,
  kustomizationNamespaceLabel,
} from '../labels.js';

/** The Flux object that manages another: a Kustomization or a HelmRelease. */
export interface FluxManager {
  readonly name: string;
  readonly namespace: string;
}

/** The two labels a Flux applier puts on what it applies: its own name and namespace. */
export interface ManagerLabels {
  readonly name: string;
  readonly namespace: string;
}

export const kustomizationLabels: ManagerLabels = {
  name: kustomizationNameLabel,
  namespace: kustomizationNamespaceLabel,
};
export const helmReleaseLabels: ManagerLabels = {
  name: helmReleaseNameLabel,
  namespace: helmReleaseNamespaceLabel,
};

// Owner chains are short (Pod → ReplicaSet → Deployment); a longer one is a cycle.
const maxOwnerDepth = 8;

/**
 * The Flux object that applied `object`, from its `managerLabels`, else from the first
 * owner (through ownerReferences, in the object's namespace) that carries them: a Pod is
 * traced through its ReplicaSet to the Deployment Flux applied, as `flux trace` does.
 * Undefined when nothing in the chain has them.
 */
export async function findFluxManager(
  client: KubeClient,
  object: KubeObject,
  managerLabels: ManagerLabels,
  depth = 0,
): Promise<FluxManager | undefined> {
  const labels = object.metadata.labels ?? {};
  const name = labels[managerLabels.name];
  if (name) {
    const namespace = labels[managerLabels.namespace] || object.metadata.namespace || '';
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
    const manager = await findFluxManager(client, found, managerLabels, depth + 1);
    if (manager) return manager;
  }
  return undefined;
}
