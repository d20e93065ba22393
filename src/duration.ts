import { UserError } from './errors.js';

/** The duration syntax of Flux's API (the `interval`, `timeout` and `retryInterval` fields). */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
/** True when `value` has the syntax of a duration in Flux's API, e.g. `1m`, `30s`, `1h30m`. */
export function isFluxDuration(value: string): boolean {
  return FLUX_DURATION.test(value);
}

const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The longest wait a Node.js timer can do; a longer one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Go's time.Duration (int64 nanoseconds), which the Flux controllers parse intervals into. */
const MAX_GO_DURATION_MS = 9_223_372_036_854;

/** What a duration is for: a wait in this process, or an interval Flux's controllers keep. */
export type DurationUse = 'timeout' | 'interval';

/**
 * Milliseconds of a duration such as `5m` or `1h30m`, checked as Flux's API checks it:
 * its syntax, more than zero, and no longer than the clock that keeps it can count (a
 * Node.js timer for a timeout, Go's time.Duration for an interval). `name` is how the user
 * wrote the setting, e.g. `--timeout` or `--interval (interval)`.
 */
export function parseDuration(value: string, name: string, use: DurationUse): number {
  if (!isFluxDuration(value)) {
    throw new UserError(
      `invalid ${name} '${value}': not a duration; write it like 30s, 5m or 1h30m (units ms, s, m, h)`,
    );
  }
  let ms = 0;
  for (const [, amount, unit] of value.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit];
  if (ms <= 0) {
    throw new UserError(`invalid ${name} '${value}': it must be longer than 0, e.g. 30s, 5m or 1h`);
  }
  const max = use === 'timeout' ? MAX_TIMEOUT_MS : MAX_GO_DURATION_MS;
  if (ms > max) {
    throw new UserError(
      use === 'timeout'
        ? `invalid ${name} '${value}': longer than 596h31m23s (24 days), the longest wait a Node.js timer can do; give a shorter one`
        : `invalid ${name} '${value}': longer than 2562047h (292 years), the longest Go duration, in which Flux keeps intervals; give a shorter one`,
    );
  }
  // A timer of 0 ms would fire at once: anything shorter than 1 ms waits 1 ms.
  return Math.max(1, Math.round(ms));
}

/** Milliseconds of a duration already checked (by resolveBootstrapOptions, for one). */
export function goDurationMs(duration: string): number {
  return parseDuration(duration, 'duration', 'timeout');
}

/** Milliseconds as Go prints a time.Duration: `5m0s`, `30s`, `1h2m3s`, `1.5s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = Math.round((totalSeconds % 60) * 1000) / 1000;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
