/** The parts of a Kubernetes object the applier reads; everything else passes through untouched. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
  [field: string]: unknown;
}

/** Identifies one object: what the applier needs to find it on the cluster. */
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
export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** The API group of an apiVersion: `apps/v1` → `apps`, `v1` → `` (core). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
