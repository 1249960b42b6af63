// The one exponential backoff of skiff's client side (REST retries, informer re-list/re-watch, the
// workqueue's per-item limiter): base * 2^failures, capped, as client-go's wait.Backoff and
// ItemExponentialFailureRateLimiter compute it.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Add up to this fraction of random delay so many clients do not retry in lockstep. */
  jitter?: number;
}

/** The delay before retry number `failures` (0 = first retry). */
export function backoffDelay(failures: number, options: BackoffOptions): number {
  // 2^failures overflows to Infinity long before it matters; Math.min keeps the cap exact.
  const exp = options.baseMs * Math.pow(2, Math.min(failures, 1000));
  const delay = Math.min(exp, options.maxMs);
  return options.jitter ? delay * (1 + Math.random() * options.jitter) : delay;
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
