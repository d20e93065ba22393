/** A Kubernetes object as plain data, the way it is read from and written to YAML. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMetadata;
  [field: string]: unknown;
}

/** The metadata fields this package reads or writes; others are kept as they are. */
export interface KubeObjectMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A plain JSON-like map, as found inside objects read from YAML. */
export type PlainMap = Record<string, unknown>;

export function isPlainMap(value: unknown): value is PlainMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The version part of an apiVersion: `apps/v1` → `v1`. */
export function apiVersionOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** `Kind/namespace/name`, for messages and lookups. */
export function describeObject(object: KubeObject): string {
  const ns = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
  return `${object.kind}/${ns}${object.metadata.name}`;
}

/** A deep copy of JSON-like data (objects read from YAML hold nothing else). */
export function cloneData<T>(value: T): T {
  return structuredClone(value);
}
