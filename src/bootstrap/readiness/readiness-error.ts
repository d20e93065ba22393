import { UserError } from '../../errors.js';
import { formatDuration } from '../../duration.js';
import { formatRef, type ObjectRef } from '../../kube/object.js';
import type { Readiness } from './readiness.js';

export interface NotReady {
  readonly ref: ObjectRef;
  /** The last state seen: the condition and message that explain the wait. */
  readonly readiness: Readiness;
}

/**
 * A readiness wait that ended without every object ready: some failed for good, or time ran
 * out. Names every object not ready with what was last seen, never a bare timeout.
 */
export class ReadinessError extends UserError {
  constructor(
    readonly notReady: readonly NotReady[],
    readonly timedOut: boolean,
    timeoutMs: number,
  ) {
    const failedCount = notReady.filter((n) => n.readiness.state === 'failed').length;
    const headline = timedOut
      ? `timed out after ${formatDuration(timeoutMs)} waiting for ${count(notReady.length)} to be ready`
      : `${count(failedCount)} failed`;
    const lines = notReady.map(
      (n) =>
        `  ${formatRef(n.ref)}: ${n.readiness.state === 'failed' ? '' : 'not ready, '}${n.readiness.message}`,
    );
    super(`${headline}:\n${lines.join('\n')}`);
    this.name = 'ReadinessError';
  }
}

function count(n: number): string {
  return `${n} object${n === 1 ? '' : 's'}`;
}
