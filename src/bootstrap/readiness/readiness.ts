import type { KubeObject } from '../../kube/object.js';

/** kstatus's three answers: reconciled and healthy, still converging, or stuck for good. */
export type ReadinessState = 'ready' | 'inProgress' | 'failed';

export interface Readiness {
  readonly state: ReadinessState;
  /** Says what was seen: a condition with its reason and message, or the counts waited for. */
  readonly message: string;
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  /** The generation the controller judged (Flux's conditions carry it). */
  readonly observedGeneration?: number;
}

export function ready(message: string): Readiness {
  return { state: 'ready', message };
}

export function inProgress(message: string): Readiness {
  return { state: 'inProgress', message };
}

export function failed(message: string): Readiness {
  return { state: 'failed', message };
}

export function findCondition(object: KubeObject, type: string): Condition | undefined {
  const status = object.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

/** `Ready=False (BuildFailed): kustomization path not found` */
export function formatCondition(condition: Condition): string {
  const reason = condition.reason ? ` (${condition.reason})` : '';
  const text = condition.message?.trim();
  const message = text ? `: ${text}` : '';
  return `${condition.type}=${condition.status}${reason}${message}`;
}

export function statusField<T>(object: KubeObject, field: string): T | undefined {
  return (object.status as Record<string, T> | undefined)?.[field];
}

/** metadata.generation vs status.observedGeneration; undefined when the latest is observed. */
export function unobservedGeneration(object: KubeObject): string | undefined {
  const generation = object.metadata.generation;
  const observed = statusField<number>(object, 'observedGeneration');
  if (generation === undefined || observed === generation) return undefined;
  return observed === undefined
    ? `generation ${generation} not observed yet (no status.observedGeneration)`
    : `generation ${generation} not observed yet (status.observedGeneration is ${observed})`;
}
