import { apiGroupOf, apiVersionOf } from '../../kube/object.js';

/** One kind the API server serves, with every name kubectl accepts for it. */
export interface ServedType {
  readonly apiVersion: string;
  readonly kind: string;
  /** The plural REST name, `deployments`. */
  readonly resource: string;
  /** `deployment`; empty when the server does not say. */
  readonly singular: string;
  /** `deploy`. */
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
}

/**
 * The served type a kubectl-style type name stands for: the kind, its plural, singular or a
 * short name, in any case (`Deployment`, `deployments`, `deploy`), optionally with its group
 * or version and group (`deployments.apps`, `deployment.v1.apps`). The first match wins, in
 * the order given (the core group first, as discovery lists it); undefined when none does.
 */
export function matchType(types: readonly ServedType[], typeName: string): ServedType | undefined {
  const wanted = typeName.toLowerCase();
  for (const { name, group, version } of readings(wanted)) {
    const found = types.find(
      (t) =>
        namesOf(t).includes(name) &&
        (group === undefined || apiGroupOf(t.apiVersion) === group) &&
        (version === undefined || apiVersionOf(t.apiVersion) === version),
    );
    if (found) return found;
  }
  return undefined;
}

// `deployments.v1.apps` may be resource.version.group or resource.group (a group with dots):
// both readings are tried, as kubectl does.
function readings(wanted: string): { name: string; group?: string; version?: string }[] {
  const dot = wanted.indexOf('.');
  if (dot <= 0) return [{ name: wanted }];
  const name = wanted.slice(0, dot);
  const tail = wanted.slice(dot + 1);
  const next = tail.indexOf('.');
  const versioned =
    next > 0 ? [{ name, version: tail.slice(0, next), group: tail.slice(next + 1) }] : [];
  return [...versioned, { name, group: tail }];
}

function namesOf(type: ServedType): string[] {
  return [
    type.resource,
    type.singular || type.kind.toLowerCase(),
    type.kind.toLowerCase(),
    ...type.shortNames,
  ];
}
