import jsonPatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { UserError } from '../../errors.js';
import { formatRef, type KubeObject } from '../../kube/object.js';

/** Applies RFC 6902 operations to one object in place; a failing operation names the object. */
export function applyJson6902Patch(
  object: KubeObject,
  operations: readonly Operation[],
  source: string,
): KubeObject {
  try {
    const result = jsonPatch.applyPatch(object, operations as Operation[], true, true, true);
    return result.newDocument as KubeObject;
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UserError(
      `${source}: JSON 6902 patch cannot be applied to ${formatRef(object)}: ${reason}; fix the patch's paths`,
    );
  }
}
