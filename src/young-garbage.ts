// Streaming makes a short-lived Buffer per piece (socket reads, gunzip output, file reads); V8 frees
// them only once ~32 MB pile up, so a collection every few MiB keeps the peak near a few pieces.
import { setV8Flags } from './v8-flags.js';

/**
 * Bytes processed between two collections: a few pieces. Much more and the garbage piles up;
 * much less and pieces still in use survive two collections and move to the old generation
 * (a push holds pieces a while: blocks deflated in parallel, an upload under way).
 */
export const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;

/**
 * The same where each piece is done with before the next comes (a pull: read, hash, unpack
 * and write at once): nothing stays live across collections, so they can come 8x as often.
 * Measured with the pull's 64 KiB gunzip pieces: a 50 MB pull peaks at 52 MiB (62 at 4 MiB),
 * a 20 000-file pull at 52 MiB (57 at 1 MiB, where zlib's buffers happened to live through
 * two collections and moved to the old generation), in the same time.
 */
export const COLLECT_EVERY_BYTES_PASSED_ON = 512 * 1024;

let enabled = false;
let collect: (() => void) | undefined;
let sinceLast = 0;
let sizeHeld = false;

/**
 * Lets {@link processedBytes} collect young garbage (bin/flux-oci.js calls this at start-up,
 * not `main()`, which tests run in their own process). A library
 * user who does not keeps V8's own schedule: nothing changes for them.
 */
export function enableYoungGarbageCollection(): void {
  enabled = true;
}

/**
 * Streaming loops call this with the bytes they just processed; `collectEvery` is
 * {@link COLLECT_EVERY_BYTES_PASSED_ON} where each piece is passed on at once.
 */
export function processedBytes(bytes: number, collectEvery = COLLECT_EVERY_BYTES): void {
  if (!enabled) return;
  sinceLast += bytes;
  if (sinceLast < collectEvery) return;
  sinceLast = 0;
  collect ??= youngCollector();
  collect();
}

/**
 * Keeps the young generation at its starting size for the rest of the process (a push or
 * build, which collects every few MiB anyway). V8 doubles it each time enough has survived
 * its collections since the last growth, so a long push of many small entries ends with 4x
 * the space: a 20 000-file push peaked at 63 MiB, 58 MiB held (Flux: 60), same time. Not for
 * a pull: there the small space moves the gunzip's pieces to the old generation (57 → 60
 * MiB). Only once {@link enableYoungGarbageCollection} ran; a no-op where flags are frozen.
 */
export function holdYoungGenerationSize(): void {
  if (!enabled || sizeHeld) return;
  sizeHeld = true;
  setV8Flags('--semi-space-growth-factor=1');
}

/**
 * V8's collector, limited to the young generation (made on first use: start-up pays nothing);
 * a no-op when it cannot be had (a Node that freezes V8 flags after start-up): it is only an
 * optimisation, never a reason for a pull or push to fail.
 */
function youngCollector(): () => void {
  if (!setV8Flags('--expose-gc')) return () => {};
  try {
    // A context created with the flag in force has `gc` (node:vm loaded here: a small push or
    // pull never collects and so never loads it).
    const gc = process
      .getBuiltinModule('node:vm')
      .runInNewContext('typeof gc === "function" ? gc : undefined') as
      ((options: { type: 'minor' }) => void) | undefined;
    if (gc !== undefined) return () => gc({ type: 'minor' });
  } catch {
    // fall through: V8's own schedule
  }
  return () => {};
}
