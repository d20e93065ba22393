import type { KubeObject } from '../../kube/object.js';
import { findCondition, failed, formatCondition, inProgress, type Readiness } from './readiness.js';

/** `flux reconcile`'s annotation: the controller copies it to status.lastHandledReconcileAt. */
export const RECONCILE_REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

/**
 * What source-controller says on an OCIRepository's Ready condition when the registry
 * refused its credentials: reason AuthenticationFailed (the Secret unusable), or the
 * registry's 401/403 in the pull's message (a password the registry no longer takes).
 */
const REFUSED = /\b(UNAUTHORIZED|DENIED|401 Unauthorized|403 Forbidden|authentication required)\b/i;

/** The registry's refusal as Flux reported it (first line), or undefined. */
export function authFailureOf(object: KubeObject): string | undefined {
  const ready = findCondition(object, 'Ready');
  if (ready?.status !== 'False') return undefined;
  const message = (ready.message ?? '').trim().split('\n')[0]!;
  return ready.reason === 'AuthenticationFailed' || REFUSED.test(message) ? message : undefined;
}

/** The construct's revision prop that rewrites a Secret, with its current value. */
export interface SecretRevision {
  readonly prop: string;
  readonly revision: number;
}

/**
 * One line for an OCIRepository whose registry refused the credentials of its Secret: the
 * object, the Secret, Flux's message and what to do. With the construct, the Secret is
 * rewritten only when its revision prop is raised; otherwise re-running the bootstrap
 * (its secrets phase) writes the current password.
 */
export function authFailureLine(
  object: KubeObject,
  refusal: string,
  revisions: ReadonlyMap<string, SecretRevision>,
): string {
  const namespace = object.metadata.namespace ?? 'flux-system';
  const secret = (object.spec as { secretRef?: { name?: string } } | undefined)?.secretRef?.name;
  const where = `OCIRepository ${namespace}/${object.metadata.name}`;
  if (!secret) return `${where}: the registry refused access (${refusal})`;
  const known = revisions.get(secret);
  const fix = known
    ? `give the registry's current password and raise ${known.prop} (now ${known.revision}) so the next deploy rewrites the Secret`
    : "run the bootstrap again with the registry's current password: its secrets phase rewrites the Secret";
  return `${where}: the registry refused the credentials in Secret ${namespace}/${secret} (${refusal}): ${fix}`;
}

/**
 * A readiness judge for an OCIRepository the wait asked to reconcile at `requestedAt`: its
 * status counts only once the controller has handled that request (before, it may be stale:
 * Ready with credentials since changed). Then a refusal by the registry is final (waiting
 * longer would only time out); anything else is left to the usual rules.
 */
export function judgeAuthFailure(
  requestedAt: string,
  revisions: ReadonlyMap<string, SecretRevision>,
): (object: KubeObject) => Readiness | undefined {
  return (object) => {
    const handled =
      (object.status as { lastHandledReconcileAt?: string } | undefined)?.lastHandledReconcileAt ===
      requestedAt;
    if (!handled) {
      const ready = findCondition(object, 'Ready');
      return inProgress(
        `the reconcile requested at ${requestedAt} is not handled yet; ${ready ? formatCondition(ready) : 'no Ready condition yet'}`,
      );
    }
    const refusal = authFailureOf(object);
    return refusal === undefined ? undefined : failed(authFailureLine(object, refusal, revisions));
  };
}
