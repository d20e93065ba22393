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

/** Structural equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every(
      (key) => Object.prototype.hasOwnProperty.call(right, key) && jsonEqual(left[key], right[key]),
    )
  );
}
