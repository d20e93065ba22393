import { UserError } from '../../errors.js';
import { KubeApiError } from '../../kube/api-error.js';
import type { KubeClient } from '../../kube/client.js';
import { pollUntil } from '../../kube/poll.js';
import { formatRef, type KubeObject, type ObjectRef } from '../../kube/object.js';
import { objectReadiness } from './object-readiness.js';
import { silentProgressLogger, type ProgressLogger } from '../progress-logger.js';
import { ReadinessError, type NotReady } from './readiness-error.js';
import { inProgress, type Readiness } from './readiness.js';

export interface ReadinessTarget extends ObjectRef {
  /**
   * For Flux objects: the revision they must have reconciled, `<tag>@sha256:<digest>`.
   * @default any revision
   */
  readonly expectedRevision?: string;
  /**
   * Judges the object before the usual rules; undefined leaves it to them.
   * @default none
   */
  readonly judge?: (object: KubeObject) => Readiness | undefined;
}

export interface WaitOptions {
  /**
   * How long to wait for all targets together.
   * @default 300000 (5m, flux's --timeout)
   */
  readonly timeoutMs?: number;
  /**
   * Time between two looks at the cluster.
   * @default 2000 (flux's poll interval)
   */
  readonly pollIntervalMs?: number;
  /** @default silent */
  readonly logger?: ProgressLogger;
}

/**
 * Polls the targets until every one is ready. Stops early when one has failed for good
 * (reporting it together with those still not ready), and on timeout reports each object not
 * ready with the condition and message last seen. Throws ReadinessError.
 */
export async function waitForReady(
  client: KubeClient,
  targets: readonly ReadinessTarget[],
  options: WaitOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const pollIntervalMs = options.pollIntervalMs ?? 2_000;
  const logger = options.logger ?? silentProgressLogger;
  let pending = [...targets];
  for (const target of pending) logger.waiting(`waiting for ${formatRef(target)} to be ready`);

  // Each look reports the targets that became ready and keeps the others for the next.
  const look = async (): Promise<NotReady[]> => {
    const seen = await Promise.all(pending.map((target) => readinessOf(client, target)));
    const notReady: NotReady[] = [];
    pending.forEach((target, i) => {
      const readiness = seen[i]!;
      if (readiness.state === 'ready') {
        logger.success(`${formatRef(target)} ready: ${readiness.message}`);
      } else {
        notReady.push({ ref: target, readiness });
      }
    });
    pending = pending.filter((_, i) => seen[i]!.state !== 'ready');
    return notReady;
  };
  const anyFailed = (notReady: readonly NotReady[]) =>
    notReady.some((n) => n.readiness.state === 'failed');
  const { seen: notReady } = await pollUntil(
    look,
    (notReady) => notReady.length === 0 || anyFailed(notReady),
    { timeoutMs, intervalMs: pollIntervalMs },
  );
  if (notReady.length === 0) return;
  for (const n of notReady) logger.failure(`${formatRef(n.ref)}: ${n.readiness.message}`);
  throw new ReadinessError(notReady, !anyFailed(notReady), timeoutMs);
}

// An object that cannot be read yet (not created, its kind not served yet, the API server
// briefly unreachable) is still in progress; the reason is kept for the timeout report.
// A refusal (401, 403) will not pass by waiting: it ends the wait at once.
async function readinessOf(client: KubeClient, target: ReadinessTarget): Promise<Readiness> {
  try {
    const object = await client.get(target);
    if (!object) return inProgress('not found');
    return target.judge?.(object) ?? objectReadiness(object, target.expectedRevision);
  } catch (error) {
    if (error instanceof KubeApiError && (error.statusCode === 401 || error.statusCode === 403)) {
      throw new UserError(
        `cannot read ${formatRef(target)}: the API server answered ${error.statusCode} ${error.reason} (${error.statusMessage}): give the kubeconfig's user the right to get it`,
      );
    }
    return inProgress(`cannot be read: ${(error as Error).message}`);
  }
}
