const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration such as `5m` or `1h30m` (validated by resolveBootstrapOptions). */
export function goDurationMs(duration: string): number {
  let total = 0;
  for (const [, amount, unit] of duration.matchAll(/([0-9.]+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit];
  }
  return Math.round(total);
}
