import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions<T> {
  /** How long to keep looking, from the first look. */
  readonly timeoutMs: number;
  /** Time between two looks; the last wait never runs past the deadline. */
  readonly intervalMs: number;
  /** Called before each wait with what was seen (to say once what is being waited for). */
  readonly beforeWait?: (seen: T) => void;
}

/** The last thing seen, and whether it was what the caller waited for. */
export interface PollResult<T> {
  readonly seen: T;
  readonly done: boolean;
}

/**
 * Looks at the cluster until `done` holds for what was seen or the time is up; the one
 * polling loop of the package (readiness, deletion, controller pods, CRD discovery). Errors
 * from `look` end the poll.
 */
export async function pollUntil<T>(
  look: () => Promise<T>,
  done: (seen: T) => boolean,
  options: PollOptions<T>,
): Promise<PollResult<T>> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const seen = await look();
    if (done(seen)) return { seen, done: true };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { seen, done: false };
    options.beforeWait?.(seen);
    await sleep(Math.min(options.intervalMs, remaining));
  }
}
