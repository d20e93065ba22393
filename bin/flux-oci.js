#!/usr/bin/env node
// The flux-oci command: a thin launcher for the compiled CLI (built by `npm ci` through `prepare`).
import { deferOptimisingCompiler } from '../dist/optimising-compiler.js';

// V8's optimising compiler stays off until a command runs JavaScript hot (see
// src/optimising-compiler.ts); set before the CLI loads, so none of it is optimised early.
deferOptimisingCompiler();
const { enableYoungGarbageCollection, main } = await import('../dist/cli/main.js');

// Streamed pushes and pulls free their pieces every few MiB (see src/young-garbage.ts).
enableYoungGarbageCollection();

// A reader that stops early (`flux-oci list artifacts ... | head`) closes the pipe: stop
// quietly, as a Go CLI does on SIGPIPE, instead of an unhandled EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Ctrl-C or a stop (SIGINT, SIGTERM): remove the staging directories of a pull in progress
// (unverified content beside or inside --output), then exit as a shell reports it: 128 + signal.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => {
    import('../dist/oci/content/archive/staging-directory.js')
      .then((staging) => staging.removeActiveStagingDirectories())
      .finally(() => process.exit(code));
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`✗ ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
