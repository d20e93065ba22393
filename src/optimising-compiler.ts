// V8's optimising compiler (TurboFan) pays off only on JavaScript that runs hot for a while.
// A push or pull spends its time in native code (zlib, sha256, sockets, files), yet the first
// function V8 optimises pages in ~4 MiB of TurboFan's own machine code and its compile zones:
// a small push or a 50 MB pull then peaks ~4-6 MiB above a process that never optimises.
// So the flux-oci launcher starts with TurboFan off and the code that runs JavaScript hot
// (the pure-JS deflate, per-entry work on large trees) turns it on before it needs it.

/** Archive entries a command handles before its per-entry JavaScript is worth optimising. */
export const ENTRIES_BEFORE_OPTIMISING = 256;

type State = 'default' | 'deferred' | 'on';

let state: State = 'default';
let entries = 0;

/**
 * Turns the optimising compiler off until {@link optimiseFromNow} (bin/flux-oci.js calls this
 * at start-up, not `main()`, which tests run in their own process; a library user keeps V8's
 * own tiering). Does nothing where V8's flags cannot be set.
 */
export function deferOptimisingCompiler(): void {
  if (state !== 'default') return;
  if (setV8Flag('--no-opt')) state = 'deferred';
}

/**
 * Work that is JavaScript-bound from its first byte (the pure-JS deflate) calls this before it
 * starts: the optimising compiler is on from now on, for the rest of the process.
 */
export function optimiseFromNow(): void {
  if (state !== 'deferred') return;
  if (setV8Flag('--opt')) state = 'on';
}

/**
 * Per-entry loops (walking a tree, reading a tar) call this for each entry: a tree of a few
 * hundred entries keeps the compiler off, a larger one turns it on.
 */
export function handledEntry(): void {
  if (state !== 'deferred') return;
  if (++entries >= ENTRIES_BEFORE_OPTIMISING) optimiseFromNow();
}

/**
 * Whether this process runs with the optimising compiler deferred (`deferred`), turned on
 * again (`on`) or as V8 set it up (`default`): for tests and `--verbose`-style diagnostics.
 */
export function optimisingCompilerState(): State {
  return state;
}

/** A flag set through `node:v8`, loaded here: a process that never defers never loads it. */
function setV8Flag(flag: string): boolean {
  try {
    process.getBuiltinModule('node:v8').setFlagsFromString(flag);
    return true;
  } catch {
    return false; // a Node that freezes V8's flags: V8's own tiering, only memory differs
  }
}
