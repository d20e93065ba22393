import { jsonEqual } from './deep-equal.js';
import type { KubeObject } from '../../kube/object.js';

/**
 * Whether a dry-run apply result differs from the stored object, the way `fluxcd/pkg/ssa`
 * decides: labels, annotations, and everything outside metadata and status. managedFields
 * are left out on purpose: an apply that only records ownership (a Namespace with nothing
 * but a name owns no field) would otherwise be "configured" on every run.
 */
export function hasDrifted(existing: KubeObject, dryRun: KubeObject): boolean {
  return (
    !jsonEqual(dryRun.metadata.labels ?? {}, existing.metadata.labels ?? {}) ||
    !jsonEqual(dryRun.metadata.annotations ?? {}, existing.metadata.annotations ?? {}) ||
    !jsonEqual(withoutMetadataAndStatus(dryRun), withoutMetadataAndStatus(existing))
  );
}

function withoutMetadataAndStatus(object: KubeObject): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...object };
  delete rest.metadata;
  delete rest.status;
  return rest;
}
