import { UserError } from '../../errors.js';
import { applyImageOverrides } from './image-transformer.js';
import { applyJson6902Patch } from './json6902-patch.js';
import {
  apiGroupOf,
  cloneData,
  formatRef,
  type KubeObject,
  type PlainMap,
} from '../../kube/object.js';
import { matchesTarget } from './patch-target.js';
import { strategicMerge } from './strategic-merge-patch.js';
import type { KustomizationPatch, UserKustomization } from './user-kustomization.js';

/**
 * Applies a user kustomization's patches and images to the generated objects, as kustomize
 * would when building the components directory: strategic-merge patches, then `patches`,
 * then JSON 6902 patches, then images. Returns new objects; the input is not modified.
 */
export function applyUserKustomization(
  objects: readonly KubeObject[],
  kustomization: UserKustomization,
): KubeObject[] {
  let result = objects.map((o) => cloneData(o));
  for (const patch of kustomization.patches) result = applyPatch(result, patch);
  applyImageOverrides(result, kustomization.images);
  return result;
}

function applyPatch(objects: KubeObject[], patch: KustomizationPatch): KubeObject[] {
  const target = patch.target;
  const untargeted = patch.type === 'strategic-merge' && !target ? patch.patch : undefined;
  const selected = (o: KubeObject) =>
    target ? matchesTarget(o, target) : sameIdentity(o, untargeted as PlainMap);
  if (untargeted && !objects.some(selected)) {
    const p = untargeted as { kind?: string; metadata?: { name?: string } };
    throw new UserError(
      `${patch.source}: no object matches the patch for ${p.kind}/${p.metadata?.name}; fix its kind, name and namespace (metadata.namespace is needed for namespaced objects), or add a target`,
    );
  }
  const result: KubeObject[] = [];
  for (const object of objects) {
    if (!selected(object)) {
      result.push(object);
      continue;
    }
    if (patch.type === 'json6902') {
      result.push(applyJson6902Patch(object, patch.operations, patch.source));
      continue;
    }
    const merged = strategicMerge(object, withIdentityOf(patch.patch, object));
    if (merged === undefined) continue; // `$patch: delete` removed the object
    if (typeof merged.kind !== 'string' || typeof merged.apiVersion !== 'string') {
      throw new UserError(
        `${patch.source}: the patch leaves ${formatRef(object)} without kind or apiVersion`,
      );
    }
    result.push(merged as KubeObject);
  }
  return result;
}

/** A strategic-merge patch without target applies to the object with its kind, group and name. */
function sameIdentity(object: KubeObject, patch: PlainMap): boolean {
  const meta = patch.metadata as { name?: unknown; namespace?: unknown };
  if (patch.kind !== object.kind || meta.name !== object.metadata.name) return false;
  if (
    typeof patch.apiVersion === 'string' &&
    apiGroupOf(patch.apiVersion) !== apiGroupOf(object.apiVersion)
  ) {
    return false;
  }
  // As in kustomize, a patch without namespace only finds objects without one (or in `default`).
  const namespaceOf = (ns: unknown) => (ns === undefined || ns === 'default' ? '' : ns);
  return namespaceOf(meta.namespace) === namespaceOf(object.metadata.namespace);
}

/** The patch aimed at `object`: a targeted patch never renames or re-kinds what it patches. */
function withIdentityOf(patch: PlainMap, object: KubeObject): PlainMap {
  const metadata: PlainMap = {
    ...((patch.metadata as PlainMap | undefined) ?? {}),
    name: object.metadata.name,
  };
  if (object.metadata.namespace !== undefined) metadata.namespace = object.metadata.namespace;
  else delete metadata.namespace;
  return { ...patch, apiVersion: object.apiVersion, kind: object.kind, metadata };
}
