/** A Kubernetes object as plain data, the way it is read from YAML and from the API server. */
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
  /** Fields the cluster sets, read by the applier and the uninstaller. */
  finalizers?: string[];
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
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

/** A deep copy of JSON-like data (objects read from YAML hold nothing else). */
export function cloneData<T>(value: T): T {
  return structuredClone(value);
}

/** Identifies one object: what the client needs to find it on the cluster. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
}

export function refOf(object: KubeObject): ObjectRef {
  const { apiVersion, kind } = object;
  const { name, namespace } = object.metadata;
  return namespace ? { apiVersion, kind, name, namespace } : { apiVersion, kind, name };
}

/** An object or its reference: the client's calls accept either. */
export type ObjectTarget = ObjectRef | KubeObject;

export function toRef(target: ObjectTarget): ObjectRef {
  return 'metadata' in target ? refOf(target as KubeObject) : (target as ObjectRef);
}

/** `Kind/namespace/name` or `Kind/name`, the way `flux` names objects in its output. */
export function formatRef(target: ObjectTarget): string {
  const ref = toRef(target);
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}
