import { UserError } from '../../errors.js';
import { apiGroupOf, apiVersionOf, type KubeObject } from '../../kube/object.js';

/** Which objects a kustomization patch applies to; every field is optional and regex-matched. */
export interface PatchTarget {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** A label selector, e.g. `app=x,tier in (a,b)`. */
  readonly labelSelector?: string;
  /** An annotation selector, same syntax as labelSelector. */
  readonly annotationSelector?: string;
}

const TARGET_FIELDS = new Set([
  'group',
  'version',
  'kind',
  'name',
  'namespace',
  'labelSelector',
  'annotationSelector',
]);

/** Checks a target read from a kustomization; unknown fields are refused by name. */
export function checkPatchTarget(target: Record<string, unknown>, where: string): PatchTarget {
  for (const [key, value] of Object.entries(target)) {
    if (!TARGET_FIELDS.has(key)) {
      throw new UserError(
        `${where}: target field "${key}" is not supported; use ${[...TARGET_FIELDS].join(', ')}`,
      );
    }
    if (typeof value !== 'string') {
      throw new UserError(`${where}: target field "${key}" must be a string`);
    }
  }
  return target as PatchTarget;
}

/** True when `object` is selected by `target` (fields are anchored regular expressions, as in kustomize). */
export function matchesTarget(object: KubeObject, target: PatchTarget): boolean {
  return (
    matchField(target.group, apiGroupOf(object.apiVersion)) &&
    matchField(target.version, apiVersionOf(object.apiVersion)) &&
    matchField(target.kind, object.kind) &&
    matchField(target.name, object.metadata.name) &&
    matchField(target.namespace, object.metadata.namespace ?? '') &&
    matchSelector(target.labelSelector, object.metadata.labels ?? {}) &&
    matchSelector(target.annotationSelector, object.metadata.annotations ?? {})
  );
}

function matchField(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '') return true;
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    throw new UserError(`patch target "${pattern}" is not a valid regular expression`);
  }
  return regex.test(value);
}

function matchSelector(selector: string | undefined, values: Record<string, string>): boolean {
  if (!selector) return true;
  return splitRequirements(selector).every((requirement) => matchRequirement(requirement, values));
}

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

function matchRequirement(requirement: string, values: Record<string, string>): boolean {
  const set = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(requirement);
  if (set) {
    const [, key, op, list] = set;
    const options = list.split(',').map((s) => s.trim());
    const has = key in values && options.includes(values[key]);
    return op === 'in' ? has : !has;
  }
  const unequal = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(requirement);
  if (unequal) return values[unequal[1]] !== unequal[2].trim();
  const equal = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(requirement);
  if (equal) return values[equal[1]] === equal[2].trim();
  if (requirement.startsWith('!')) return !(requirement.slice(1).trim() in values);
  if (/^[^\s!=()]+$/.test(requirement)) return requirement in values;
  throw new UserError(`selector "${requirement}" is not a valid label selector`);
}
