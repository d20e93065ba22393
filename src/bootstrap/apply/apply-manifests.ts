import { ApplyError, type ApplyFailure } from './apply-error.js';
import { splitApplyStages } from './apply-stages.js';
import { formatChange, type ChangeSetEntry } from './change-set.js';
import type { KubeClient } from '../../kube/client.js';
import { formatRef, refOf, type KubeObject } from '../../kube/object.js';
import { parseManifests } from '../../kube/manifests.js';
import { silentProgressLogger, type ProgressLogger } from '../progress-logger.js';
import {
  executeApply,
  isPlanned,
  planApply,
  type KustomizationName,
  type PlannedApply,
  type ServerSideApplyOptions,
} from './server-side-apply.js';
import { waitForReady } from '../readiness/wait-for-ready.js';
import { waitForCrdDiscovery } from '../../kube/crd-discovery.js';

export interface ApplyManifestsOptions {
  /**
   * Field manager recorded on every applied field.
   * @default 'flux-oci'
   */
  readonly fieldManager?: string;
  /**
   * Take over fields owned by other managers, as `flux` does.
   * @default true
   */
  readonly force?: boolean;
  /**
   * Leave alone every object that this Kustomization already manages (label
   * `kustomize.toolkit.fluxcd.io/name`, and `.../namespace` when given): after the hand-off
   * Flux owns the components and a re-run must not revert its updates.
   * @default apply everything
   */
  readonly skipOwnedBy?: KustomizationName;
  /**
   * Namespace for namespaced objects that name none.
   * @default the kubeconfig context's namespace, else `default`
   */
  readonly defaultNamespace?: string;
  /**
   * How long CustomResourceDefinitions may take to become Established.
   * @default 60000 (flux's one minute)
   */
  readonly crdTimeoutMs?: number;
  /**
   * Time between two looks at the CustomResourceDefinitions (they usually take well under
   * a second, so this is shorter than the 2s readiness poll).
   * @default 500
   */
  readonly crdPollIntervalMs?: number;
  /**
   * How long to wait for an object that is being deleted (a CRD or namespace still
   * finalizing after an uninstall) to be gone before creating it again.
   * @default 60000
   */
  readonly terminationTimeoutMs?: number;
  /** @default silent */
  readonly logger?: ProgressLogger;
}

/**
 * Applies manifests the way `flux install` does: CustomResourceDefinitions and Namespaces
 * first, then a wait until those CRDs are Established, then everything else (whose kinds
 * are only resolvable once the CRDs are served). Each stage is checked with a server-side dry
 * run before anything of it is written, so a refused object leaves that stage untouched.
 * Returns what happened to every object, in apply order. Throws ApplyError, ReadinessError.
 */
export async function applyManifests(
  client: KubeClient,
  manifests: string | readonly KubeObject[],
  options: ApplyManifestsOptions = {},
): Promise<ChangeSetEntry[]> {
  const objects = typeof manifests === 'string' ? parseManifests(manifests) : manifests;
  const logger = options.logger ?? silentProgressLogger;
  const applyOptions: ServerSideApplyOptions = {
    fieldManager: options.fieldManager ?? 'flux-oci',
    force: options.force ?? true,
    defaultNamespace: options.defaultNamespace ?? client.defaultNamespace,
    skipOwnedBy: options.skipOwnedBy,
    terminationTimeoutMs: options.terminationTimeoutMs ?? 60_000,
  };
  const stages = splitApplyStages(objects);
  const changes: ChangeSetEntry[] = [];

  if (stages.clusterDefinitions.length > 0) {
    changes.push(...(await applyStage(client, stages.clusterDefinitions, applyOptions, logger)));
    const crds = stages.clusterDefinitions.filter((o) => o.kind === 'CustomResourceDefinition');
    if (crds.length > 0) {
      const timeoutMs = options.crdTimeoutMs ?? 60_000;
      const pollIntervalMs = options.crdPollIntervalMs ?? 500;
      await waitForReady(client, crds.map(refOf), { timeoutMs, pollIntervalMs });
      await waitForCrdDiscovery(client, crds, timeoutMs, pollIntervalMs);
    }
  }
  if (stages.resources.length > 0) {
    changes.push(...(await applyStage(client, stages.resources, applyOptions, logger)));
  }
  return changes;
}

async function applyStage(
  client: KubeClient,
  objects: readonly KubeObject[],
  options: ServerSideApplyOptions,
  logger: ProgressLogger,
): Promise<ChangeSetEntry[]> {
  const planned: PlannedApply[] = [];
  const failures: ApplyFailure[] = [];
  for (const object of objects) {
    const result = await planApply(client, object, options);
    if (isPlanned(result)) planned.push(result);
    else failures.push(result);
  }
  if (failures.length === 0) {
    for (const plan of planned) {
      const failure = await executeApply(client, plan, options);
      if (failure) failures.push(failure);
    }
  }
  if (failures.length > 0) {
    for (const failure of failures) logger.failure(`${formatRef(failure.ref)}: ${failure.message}`);
    throw new ApplyError(failures);
  }
  const entries = planned.map((plan) => ({ ref: plan.ref, action: plan.action }));
  for (const entry of entries) logger.success(formatChange(entry));
  return entries;
}
