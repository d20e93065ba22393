import { apiGroupOf, cloneData, isPlainMap, type PlainMap } from '../../kube/object.js';

/**
 * Merge keys of the built-in list fields that have one (Kubernetes' patchMergeKey), by
 * field name.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  resourceClaims: 'name',
  conditions: 'type',
};

/**
 * Keys kustomize (kyaml) uses to merge lists of maps in objects it has no schema for
 * (custom resources): the first key present in every element, in this order.
 */
const INFERRED_KEYS = [
  'mountPath',
  'devicePath',
  'ip',
  'type',
  'topologyKey',
  'name',
  'containerPort',
];

/**
 * Built-in lists whose elements are identified by two keys (x-kubernetes-list-map-keys), the
 * second often left out in patches. `ports` is decided per list: containerPort + protocol in
 * containers, port + protocol in Services.
 */
const TWO_KEY_LISTS: Readonly<Record<string, readonly [string, string]>> = {
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
};

/**
 * API groups of the built-in kinds, whose schema kustomize knows: their lists without a
 * merge key (tolerations, args, subjects, CRD versions, ...) are replaced, never merged.
 */
const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/**
 * Applies a strategic-merge patch to `target` and returns the result (the input is not
 * modified), with the semantics kustomize uses for the common cases: maps merge key by key,
 * a null value deletes a key, lists of maps with a merge key merge element by element
 * (patch elements first, then those only the target has), other lists are replaced, and `$patch: delete`
 * / `$patch: replace` directives on maps and list elements. Returns undefined when the
 * patch deletes the whole object.
 */
export function strategicMerge(target: PlainMap, patch: PlainMap): PlainMap | undefined {
  const apiVersion = typeof target.apiVersion === 'string' ? target.apiVersion : '';
  return mergeMap(cloneData(target), patch, BUILT_IN_GROUPS.has(apiGroupOf(apiVersion)));
}

/** `builtIn`: the object is of a built-in kind, whose list merge keys come from its schema. */
function mergeMap(dest: PlainMap, patch: PlainMap, builtIn: boolean): PlainMap | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch) as PlainMap;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    if (value === null) {
      delete dest[key];
      continue;
    }
    const current = dest[key];
    if (isPlainMap(value) && isPlainMap(current)) {
      const merged = mergeMap(current, value, builtIn);
      if (merged === undefined) delete dest[key];
      else dest[key] = merged;
    } else if (Array.isArray(value) && Array.isArray(current)) {
      dest[key] = mergeList(key, current, value, builtIn);
    } else if (isPlainMap(value) && value.$patch === 'delete') {
      delete dest[key];
    } else {
      dest[key] = stripDirectives(value);
    }
  }
  return dest;
}

function mergeList(field: string, dest: unknown[], patch: unknown[], builtIn: boolean): unknown[] {
  const replaceAll = patch.find(
    (e) => isPlainMap(e) && e.$patch === 'replace' && Object.keys(e).length === 1,
  );
  if (replaceAll) return stripDirectives(patch.filter((e) => e !== replaceAll)) as unknown[];
  const keys = builtIn ? twoKeysOf(field, dest, patch) : undefined;
  if (keys) return mergeTwoKeyList(keys, dest, patch, builtIn);
  const key = mergeKeyOf(field, dest, patch, builtIn);
  if (key === undefined) return stripDirectives(patch) as unknown[];
  // kustomize prepends: patch elements first, in patch order (merged with their match),
  // then the elements only the target has, in their order.
  const result: unknown[] = [];
  const matched = new Set<unknown>();
  for (const element of patch) {
    if (!isPlainMap(element)) continue;
    const match = dest.find((e) => isPlainMap(e) && e[key] === element[key]);
    if (match !== undefined) matched.add(match);
    if (element.$patch === 'delete') continue;
    if (match === undefined) {
      result.push(stripDirectives(element));
      continue;
    }
    const merged = mergeMap(match as PlainMap, element, builtIn);
    if (merged !== undefined) result.push(merged);
  }
  for (const element of dest) if (!matched.has(element)) result.push(element);
  return result;
}

function twoKeysOf(
  field: string,
  dest: unknown[],
  patch: unknown[],
): readonly string[] | undefined {
  const elements = [...dest, ...patch];
  if (elements.length === 0 || !elements.every(isPlainMap)) return undefined;
  if (field === 'ports') {
    const first = (elements as PlainMap[]).some((e) => 'containerPort' in e)
      ? 'containerPort'
      : 'port';
    return [first, 'protocol'];
  }
  return TWO_KEY_LISTS[field];
}

/**
 * Two-key lists, as kustomize (kyaml) merges them: a patch element merges into the element
 * with the same values for both keys (a missing key counts as empty); one that matches an
 * element only on the keys it sets (e.g. `port: 80` against `port: 80, protocol: TCP`) is
 * dropped; the others are new and go first, in patch order, before the target's elements.
 */
function mergeTwoKeyList(
  keys: readonly string[],
  dest: unknown[],
  patch: unknown[],
  builtIn: boolean,
): unknown[] {
  const valueOf = (e: PlainMap, k: string) => (e[k] === undefined ? '' : String(e[k]));
  const sameTuple = (a: PlainMap, b: PlainMap) =>
    keys.every((k) => valueOf(a, k) === valueOf(b, k));
  const result = [...(dest as PlainMap[])];
  const added: unknown[] = [];
  for (const element of patch as PlainMap[]) {
    const given = keys.filter((k) => valueOf(element, k) !== '');
    const matchesGiven = (e: PlainMap) => given.every((k) => valueOf(e, k) === valueOf(element, k));
    if (element.$patch === 'delete') {
      for (let i = result.length - 1; i >= 0; i--) if (matchesGiven(result[i])) result.splice(i, 1);
      continue;
    }
    const index = result.findIndex((e) => sameTuple(e, element));
    if (index >= 0) {
      const merged = mergeMap(result[index], element, builtIn);
      if (merged === undefined) result.splice(index, 1);
      else result[index] = merged;
    } else if (!result.some(matchesGiven)) {
      added.push(stripDirectives(element));
    }
  }
  return [...added, ...result];
}

function mergeKeyOf(
  field: string,
  dest: unknown[],
  patch: unknown[],
  builtIn: boolean,
): string | undefined {
  const elements = [...dest, ...patch];
  if (!elements.every(isPlainMap) || elements.length === 0) return undefined;
  if (builtIn) return MERGE_KEYS[field];
  return INFERRED_KEYS.find((k) => (elements as PlainMap[]).every((e) => k in e));
}

/** A copy of `value` without `$patch` and other `$` directives. */
function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((e) => !(isPlainMap(e) && e.$patch === 'delete'))
      .map((e) => stripDirectives(e));
  }
  if (!isPlainMap(value)) return value;
  const result: PlainMap = {};
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) continue;
    if (child === null) continue;
    result[key] = stripDirectives(child);
  }
  return result;
}
