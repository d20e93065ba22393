import { UserError } from '../../errors.js';
import type { UninstallReport } from './uninstall-flux.js';

/** Some uninstall steps failed; the others ran. Lists each failure, keeps what was done. */
export class UninstallError extends UserError {
  constructor(
    readonly failures: readonly string[],
    readonly report: UninstallReport,
  ) {
    super(
      `uninstall incomplete, ${failures.length} step${failures.length === 1 ? '' : 's'} failed:\n` +
        failures.map((f) => `  ${f}`).join('\n'),
    );
    this.name = 'UninstallError';
  }
}
