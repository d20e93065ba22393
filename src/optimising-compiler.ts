// V8's optimising compilers (TurboFan; Maglev too from Node 22) pay off only on JavaScript
// that runs hot for a while.
// A push, pull or build spends its time in native code (zlib, sha256, sockets, files), yet
// the first function V8 optimises pages in ~4 MiB of TurboFan's own machine code and its
// compile zones: a small push or a 50 MB pull then peaks ~4-6 MiB above a process that never
// optimises. So the flux-oci launcher starts with both off (V8's interpreter and baseline
// compiler only), and turns TurboFan on where JavaScript runs hot: the pure-JS deflate, and
// every command but the artifact ones (YAML, the Kubernetes client: src/cli/main.ts).
// The price is per-entry work on trees of thousands of files (their tar headers, paths):
// 20 000 files push in 0.62 s instead of 0.41 s (Flux: 0.30 s), peaking ~6 MiB lower.

import { setV8Flags } from './v8-flags.js';

type State = 'default' | 'deferred' | 'on';

let state: State = 'default';

/**
 * Turns the optimising compiler off until {@link optimiseFromNow} (bin/flux-oci.js calls this
 * at start-up, not `main()`, which tests run in their own process; a library user keeps V8's
 * own tiering). Does nothing where V8's flags cannot be set.
 */
export function deferOptimisingCompiler(): void {
  if (state !== 'default') return;
  // Not `--max-opt=1`: its implications turn TurboFan off for good (`--max-opt=999` does not
  // bring it back), and Maglev's default differs between Node versions, so it stays off.
  if (setV8Flags('--no-opt --no-maglev')) state = 'deferred';
}

/**
 * Work that is JavaScript-bound (the pure-JS deflate) calls this before it starts: if the
 * compilers were deferred, TurboFan is on from now on, for the rest of the process.
 */
export function optimiseFromNow(): void {
  if (state !== 'deferred') return;
  if (setV8Flags('--opt')) state = 'on';
}
