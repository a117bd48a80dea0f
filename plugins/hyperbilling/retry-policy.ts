/** How the client retries rate limits, server errors, network errors and malformed answers. */
export interface RetryPolicy {
  /** Attempts per request, the first included (>= 1). */
  maxAttempts: number;
  /** The backoff cap of the first retry; it doubles per attempt. */
  baseDelayMs: number;
  /** The backoff cap never grows beyond this. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails UNAVAILABLE at once. */
  maxRetryAfterMs: number;
  /** One HTTP attempt (answer and body) may take this long. */
  requestTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 120_000,
  requestTimeoutMs: 60_000,
};

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"): a uniform random delay between 0 and min(maxDelayMs, baseDelayMs * 2^(retry-1)).
 * `retry` counts from 1.
 */
export function fullJitterDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(retry - 1, 0), 30));
  return Math.floor(random() * cap);
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Waits ms, or rejects with the signal's reason as soon as it aborts (never sleeps past it). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
