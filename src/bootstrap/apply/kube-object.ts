import type { KubeObject as PlainKubeObject, KubeObjectMetadata } from '../../flux/kube-object.js';

/** The parts of a Kubernetes object the applier reads; everything else passes through untouched. */
export interface KubeObject extends PlainKubeObject {
  metadata: KubeObjectMeta;
}

/** Metadata with the fields the applier also reads from the cluster. */
export interface KubeObjectMeta extends KubeObjectMetadata {
  finalizers?: string[];
  generation?: number;
  resourceVersion?: string;
  deletionTimestamp?: string;
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
