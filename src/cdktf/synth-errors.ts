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
