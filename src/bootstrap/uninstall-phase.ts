import { isNotFound } from '../kube/api-error.js';
import type { KubeClient } from '../kube/client.js';
import { formatRef, refOf, type KubeObject, type ObjectRef } from '../kube/object.js';
import { instanceLabel, partOfFlux, partOfLabel } from '../flux/labels.js';
import { silentProgressLogger, type ProgressLogger } from './progress-logger.js';
import { UserError } from '../errors.js';
import { pollUntil } from '../kube/poll.js';

export interface UninstallOptions {
  /**
   * The namespace Flux was installed in.
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Leave the namespace (and what else lives in it) in place.
   * @default false
   */
  readonly keepNamespace?: boolean;
  /**
   * Only report what would be deleted; the API server validates every call without
   * persisting it.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * How long to wait for the controllers' pods to stop once their Deployments are deleted,
   * before their finalizers are removed (a running controller would add them back).
   * @default 60000
   */
  readonly controllersTimeoutMs?: number;
  /** @default silent */
  readonly logger?: ProgressLogger;
  /**
   * Once aborted, no further step starts and the uninstall rejects with the signal's reason
   * (the deadline of `flux uninstall --timeout`).
   * @default never aborted
   */
  readonly signal?: AbortSignal;
}

export interface UninstallReport {
  /** `Kind/namespace/name` of every object deleted (or, on a dry run, to be deleted). */
  readonly deleted: string[];
  /** Flux objects whose finalizers were removed. */
  readonly finalizersRemoved: string[];
}

/** The component kinds `flux uninstall` deletes, in its order (`flux2:pkg/uninstall`). */
const componentKinds: readonly { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  // Not deleted by flux (the namespace takes it along); deleted here so --keep-namespace
  // leaves no Flux object behind.
  { apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', namespaced: false },
];

const crdApiVersion = 'apiextensions.k8s.io/v1';

/**
 * Removes Flux in `flux uninstall`'s order: the components (labelled
 * `app.kubernetes.io/part-of=flux` and `app.kubernetes.io/instance=<namespace>`), a bounded
 * wait for the controllers' pods to stop, then the finalizers of every Flux custom resource
 * in all namespaces (so deleting them prunes nothing: the workloads Flux applied stay), then
 * Flux's CustomResourceDefinitions (which takes the custom resources along), then the
 * namespace unless kept. What is already gone is skipped; a failing step does not stop the
 * next ones, and all failures are reported together at the end (UninstallError).
 */
export async function uninstallFlux(
  client: KubeClient,
  options: UninstallOptions = {},
): Promise<UninstallReport> {
  const namespace = options.namespace ?? 'flux-system';
  const dryRun = options.dryRun ?? false;
  const logger = options.logger ?? silentProgressLogger;
  const suffix = dryRun ? ' (dry run)' : '';
  const report: UninstallReport = { deleted: [], finalizersRemoved: [] };
  const failures: string[] = [];

  const attempt = async (what: string, action: () => Promise<void>): Promise<void> => {
    options.signal?.throwIfAborted();
    try {
      await action();
    } catch (error) {
      const message = `${what} failed: ${(error as Error).message}`;
      logger.failure(message);
      failures.push(message);
    }
  };
  const deleteObject = async (ref: ObjectRef): Promise<void> =>
    attempt(`${formatRef(ref)} deletion`, async () => {
      if (await client.delete(ref, { dryRun })) {
        report.deleted.push(formatRef(ref));
        logger.success(`${formatRef(ref)} deleted${suffix}`);
      }
    });

  logger.step(`deleting components in ${namespace} namespace`);
  const componentSelector = `${partOfLabel}=${partOfFlux},${instanceLabel}=${namespace}`;
  for (const kind of componentKinds) {
    await attempt(`listing ${kind.kind} components`, async () => {
      const objects = await listOrNone(client, kind.apiVersion, kind.kind, {
        namespace: kind.namespaced ? namespace : undefined,
        labelSelector: componentSelector,
      });
      for (const object of objects) await deleteObject(refOf(object));
    });
  }
  if (!dryRun) {
    await attempt('waiting for the controllers to stop', async () => {
      const running = await waitForPodsGone(
        client,
        namespace,
        componentSelector,
        options.controllersTimeoutMs ?? 60_000,
        logger,
      );
      // Flux goes on regardless; say what may still interfere.
      if (running.length > 0) {
        logger.failure(`controller pods still running, continuing: ${running.join(', ')}`);
      }
    });
  }

  logger.step('deleting toolkit.fluxcd.io finalizers in all namespaces');
  let crds: KubeObject[] = [];
  await attempt('listing the Flux CustomResourceDefinitions', async () => {
    crds = await listOrNone(client, crdApiVersion, 'CustomResourceDefinition', {
      labelSelector: `${partOfLabel}=${partOfFlux}`,
    });
  });
  for (const crd of crds) {
    const kind = servedKind(crd);
    if (!kind) continue;
    let objects: KubeObject[] = [];
    await attempt(`listing ${kind.kind} objects`, async () => {
      objects = await listOrNone(client, kind.apiVersion, kind.kind);
    });
    for (const object of objects.filter((o) => (o.metadata.finalizers ?? []).length > 0)) {
      const ref = refOf(object);
      await attempt(`${formatRef(ref)} removing finalizers`, async () => {
        try {
          await client.mergePatch(ref, { metadata: { finalizers: null } }, { dryRun });
        } catch (error) {
          if (isNotFound(error)) return;
          throw error;
        }
        report.finalizersRemoved.push(formatRef(ref));
        logger.success(`${formatRef(ref)} finalizers deleted${suffix}`);
      });
    }
  }

  logger.step('deleting toolkit.fluxcd.io custom resource definitions');
  for (const crd of crds) await deleteObject(refOf(crd));

  if (!options.keepNamespace) {
    await deleteObject({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  }

  if (failures.length > 0) throw new UninstallError(failures, report);
  return report;
}

async function listOrNone(
  client: KubeClient,
  apiVersion: string,
  kind: string,
  options: { namespace?: string; labelSelector?: string } = {},
): Promise<KubeObject[]> {
  // A kind the cluster does not serve (or no longer serves) has nothing left to delete.
  if (!(await client.resourceFor(apiVersion, kind))) return [];
  try {
    return await client.list(apiVersion, kind, options);
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** The kind and a served version of a CRD's custom resources (the storage version first). */
function servedKind(crd: KubeObject): { apiVersion: string; kind: string } | undefined {
  const spec = crd.spec as {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; storage: boolean }[];
  };
  const version =
    spec.versions.find((v) => v.storage && v.served) ?? spec.versions.find((v) => v.served);
  return version
    ? { apiVersion: `${spec.group}/${version.name}`, kind: spec.names.kind }
    : undefined;
}

/** Some uninstall steps failed; the others ran. Lists each failure, keeps what was done. */
export class UninstallError extends UserError {
  constructor(
    readonly failures: readonly string[],
    readonly report: UninstallReport,
  ) {
    super(
      `uninstall incomplete, ${failures.length} step${failures.length === 1 ? '' : 's'} failed:\n` +
        failures.map((f) => `  ${f}`).join('\n'),
    );
    this.name = 'UninstallError';
  }
}

/**
 * Waits until no pod matching `labelSelector` is left in the namespace: the Flux
 * controllers, after their Deployments were deleted. A controller still shutting down would
 * put its finalizer back on the objects uninstall strips, and then, when the CRDs go, prune
 * everything those Kustomizations applied. Returns the names still running at the deadline
 * (an empty list when all are gone).
 */
async function waitForPodsGone(
  client: KubeClient,
  namespace: string,
  labelSelector: string,
  timeoutMs: number,
  logger: ProgressLogger,
): Promise<string[]> {
  let announced = false;
  const { seen: pods } = await pollUntil(
    () => client.list('v1', 'Pod', { namespace, labelSelector }),
    (pods) => pods.length === 0,
    {
      timeoutMs,
      intervalMs: 1_000,
      beforeWait: (pods) => {
        if (announced) return;
        logger.waiting(`waiting for ${pods.length} Flux controller pod(s) in ${namespace} to stop`);
        announced = true;
      },
    },
  );
  return pods.map((p) => p.metadata.name);
}
