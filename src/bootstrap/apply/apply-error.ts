import { UserError } from '../../errors.js';
import { formatRef, type ObjectRef } from '../../kube/object.js';

export interface ApplyFailure {
  readonly ref: ObjectRef;
  /** What the API server said, with Secret values redacted. */
  readonly message: string;
}

/** Objects the API server refused; nothing of the failing stage was written. */
export class ApplyError extends UserError {
  constructor(readonly failures: readonly ApplyFailure[]) {
    super(
      `${failures.length} object${failures.length === 1 ? '' : 's'} could not be applied:\n` +
        failures.map((f) => `  ${formatRef(f.ref)}: ${f.message}`).join('\n'),
    );
    this.name = 'ApplyError';
  }
}
