import { UserError } from '../errors.js';

let installed = false;

/**
 * Under `cdktf synth` (which runs the app with `CDKTF_OUTDIR` set), a mistake in the props
 * ends the app with one line naming it, as the CLI does, instead of a stack trace through
 * the construct's internals. Anything else is reported as Node.js would. Installed by the
 * construct, so an app that never creates one is left alone.
 */
export function reportUserErrorsAsOneLine(env: NodeJS.ProcessEnv = process.env): void {
  if (installed || !env.CDKTF_OUTDIR) return;
  installed = true;
  process.on('uncaughtException', (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`✗ ${err.message}\n`);
      process.exit(err.exitCode);
    }
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

/**
 * A mistake found while cdktf resolves the app's tokens (in `app.synth()`). cdktf's resolver
 * rewrites the message of whatever is thrown there (`Resolution error: …` and the token's
 * creation stack); this error keeps its one line, so `app.synth()` throws it message first
 * and `cdktf synth` ends with just that line.
 */
export class ResolveTimeUserError extends UserError {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, 'message', {
      get: () => message,
      set: () => undefined, // cdktf's rewrite, dropped
      enumerable: false,
      configurable: true,
    });
  }
}
