/** When and how long to wait before sending a failed request again. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly retries: number;
  /** Delay before the first retry; doubles on each further one. */
  readonly baseDelayMs: number;
  /** Upper bound of one delay (Retry-After included). */
  readonly maxDelayMs: number;
}

/** Statuses that say "try again later": timeouts, throttling and server failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

// Node's codes (RequestTimeoutError's too: ETIMEDOUT). 'socket hang up' and a response cut
// short are ECONNRESET. A refused connection is not retried, as in Go (and so Flux): a wrong
// port should fail at once, not after the backoff.
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN']);

/** Transport errors worth another attempt: resets, closed sockets, per-request timeouts. */
export function isRetryableError(err: unknown): boolean {
  return RETRYABLE_CODES.has(errorCode(err) ?? '');
}

/** The `code` of a Node error, looking through `cause`. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Exponential backoff with ±20% jitter (so clients that failed together do not retry
 * together); a Retry-After from the server wins when it asks for longer.
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  const exponential = policy.baseDelayMs * 2 ** attempt;
  const jittered = exponential * (0.8 + Math.random() * 0.4);
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.min(wanted, policy.maxDelayMs);
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds; undefined when absent or bad. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
