import { formatRef, type ObjectRef } from '../../kube/object.js';

/**
 * What applying did to one object, as `flux` reports it: created, configured (changed),
 * unchanged, or skipped (left alone because a Kustomization owns it).
 */
export type ApplyAction = 'created' | 'configured' | 'unchanged' | 'skipped';

export interface ChangeSetEntry {
  readonly ref: ObjectRef;
  readonly action: ApplyAction;
}

/** `CustomResourceDefinition/x created` */
export function formatChange(entry: ChangeSetEntry): string {
  return `${formatRef(entry.ref)} ${entry.action}`;
}

/** One line per entry, in apply order. */
export function formatChangeSet(entries: readonly ChangeSetEntry[]): string {
  return entries.map(formatChange).join('\n');
}
