export interface BackoffOptions {
  /** Delay after the first failure. */
  initialMs: number;
  /** The delay never grows beyond this. */
  maxMs: number;
  /** Fraction of the delay added at random (0..1), so many clients do not retry in step. */
  jitter?: number;
}

/** Capped exponential backoff: initialMs * 2^(attempt-1), at most maxMs, plus jitter. attempt >= 1. */
export function backoffDelay(attempt: number, { initialMs, maxMs, jitter = 0 }: BackoffOptions): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp + exp * jitter * Math.random());
}
