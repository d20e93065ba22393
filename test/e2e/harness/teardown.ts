// Timeouts of the end-to-end hooks, sized for a loaded 2-core machine, and a teardown that
// cannot fail a run that passed: each part is stopped in turn, and what fails to stop or
// takes too long is logged (a leak to look at), not thrown.

/** Starting the harness: a cold machine builds the Go tools first (scripts/go-tool.sh). */
export const START_TIMEOUT = 30 * 60 * 1000;
/** How long teardown() gives all its parts together before it logs and moves on. */
export const STOP_BUDGET = 3 * 60 * 1000;
/** An afterAll that calls teardown(): its budget and a margin for jest. */
export const STOP_TIMEOUT = STOP_BUDGET + 60 * 1000;

type Part = { stop(): Promise<void> } | (() => Promise<void> | void) | undefined;

/**
 * Stops each part in order, e.g. `teardown({ flux, cluster, registry })` (undefined ones are
 * skipped). A part that throws, or does not stop before the budget is spent, is reported on
 * stderr by name and the rest still stop.
 */
export async function teardown(parts: Record<string, Part>): Promise<void> {
  const deadline = Date.now() + STOP_BUDGET;
  for (const [name, part] of Object.entries(parts)) {
    if (part === undefined) continue;
    const left = deadline - Date.now();
    if (left <= 0) {
      process.stderr.write(`teardown of ${name}: skipped, the ${STOP_BUDGET} ms budget is spent\n`);
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        typeof part === 'function' ? part() : part.stop(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`still stopping after ${left} ms; left running`)),
            left,
          );
        }),
      ]);
    } catch (err) {
      process.stderr.write(
        `teardown of ${name} failed (possible leak): ${err instanceof Error ? err.message : String(err)}\n`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
