import { KubeApiError } from '../../kube/api-error.js';
import type { KubeClient } from '../../kube/client.js';
import { refOf, type KubeObject, type ObjectRef } from '../../kube/object.js';
import type { ApplyAction } from './change-set.js';
import type { ApplyFailure } from './apply-error.js';
import { hasDrifted } from './drift.js';
import { formatDuration } from '../../duration.js';
import { waitUntilDeleted } from './termination.js';
import { kustomizationNameLabel, kustomizationNamespaceLabel } from '../../flux/labels.js';
import { isSecret, redactSecretValues, withStringDataEncoded } from './secret-data.js';

export interface ServerSideApplyOptions {
  /** Field manager recorded in managedFields. */
  readonly fieldManager: string;
  /** Take over fields other managers own, as `flux` does. */
  readonly force: boolean;
  /** Namespace for namespaced objects that name none. */
  readonly defaultNamespace: string;
  /** How long to wait for an object being deleted to be gone before creating it again. */
  readonly terminationTimeoutMs: number;
  /** Leave objects this Kustomization already manages alone. */
  readonly skipOwnedBy?: KustomizationName;
}

export interface KustomizationName {
  readonly name: string;
  /** @default any namespace */
  readonly namespace?: string;
}

/** One object's apply, decided but not yet written. */
export interface PlannedApply {
  readonly object: KubeObject;
  readonly ref: ObjectRef;
  readonly action: ApplyAction;
}

/**
 * Decides what applying `object` would do, without writing: `skipped` when the given
 * Kustomization owns it, else a server-side dry-run apply: `created` when it does not exist,
 * otherwise the dry-run result compared with the stored object gives `configured` or
 * `unchanged` (the way `fluxcd/pkg/ssa` detects drift). Errors come back as a failure,
 * never carrying the object.
 */
export async function planApply(
  client: KubeClient,
  input: KubeObject,
  options: ServerSideApplyOptions,
): Promise<PlannedApply | ApplyFailure> {
  let object = isSecret(input) ? withStringDataEncoded(input) : input;
  try {
    object = await withScope(client, object, options.defaultNamespace);
    const ref = refOf(object);
    let existing = await client.get(ref);
    if (existing?.metadata.deletionTimestamp) {
      existing = await waitUntilDeleted(client, ref, options.terminationTimeoutMs);
      if (existing?.metadata.deletionTimestamp) {
        const finalizers = existing.metadata.finalizers ?? [];
        return {
          ref,
          message:
            `is being deleted since ${existing.metadata.deletionTimestamp} and still there ` +
            `after ${formatDuration(options.terminationTimeoutMs)}` +
            (finalizers.length ? `, held by finalizers ${finalizers.join(', ')}` : '') +
            '; wait until it is gone and apply again',
        };
      }
    }
    if (existing && options.skipOwnedBy && isOwnedBy(existing, options.skipOwnedBy)) {
      return { object, ref, action: 'skipped' };
    }
    // Also validates new objects, so a stage is refused before any of it is written.
    const dryRun = await client.apply(object, { ...options, dryRun: true });
    if (!existing) return { object, ref, action: 'created' };
    return { object, ref, action: hasDrifted(existing, dryRun) ? 'configured' : 'unchanged' };
  } catch (error) {
    return { ref: refOf(object), message: describeFailure(error, input, 'dry-run failed') };
  }
}

/** Writes a planned apply; unchanged and skipped objects are not sent. */
export async function executeApply(
  client: KubeClient,
  planned: PlannedApply,
  options: ServerSideApplyOptions,
): Promise<ApplyFailure | undefined> {
  if (planned.action !== 'created' && planned.action !== 'configured') return undefined;
  try {
    await client.apply(planned.object, options);
    return undefined;
  } catch (error) {
    return { ref: planned.ref, message: describeFailure(error, planned.object, 'apply failed') };
  }
}

export function isPlanned(result: PlannedApply | ApplyFailure): result is PlannedApply {
  return 'action' in result;
}

function isOwnedBy(object: KubeObject, owner: KustomizationName): boolean {
  const labels = object.metadata.labels ?? {};
  return (
    labels[kustomizationNameLabel] === owner.name &&
    (owner.namespace === undefined || labels[kustomizationNamespaceLabel] === owner.namespace)
  );
}

// Namespaced objects without a namespace get the default one; cluster-scoped objects lose a
// stray namespace (kustomize's `namespace:` puts one on everything).
async function withScope(
  client: KubeClient,
  object: KubeObject,
  defaultNamespace: string,
): Promise<KubeObject> {
  const resource = await client.resourceFor(object.apiVersion, object.kind);
  if (!resource) return object; // collectionPath explains the missing kind
  const { namespace, ...metadata } = object.metadata;
  if (resource.namespaced && !namespace) {
    return { ...object, metadata: { ...metadata, namespace: defaultNamespace } };
  }
  if (!resource.namespaced && namespace) return { ...object, metadata };
  return object;
}

function describeFailure(error: unknown, object: KubeObject, what: string): string {
  const detail =
    error instanceof KubeApiError
      ? `${error.reason || error.statusCode}: ${error.statusMessage}`
      : (error as Error).message;
  const message = `${what}, ${detail}`;
  return isSecret(object) ? redactSecretValues(message, object) : message;
}
