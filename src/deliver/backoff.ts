// How long to wait before trying again: exponential backoff with full jitter, and Retry-After as a floor.
// Shared by the event sender and the token fetcher, so both endpoints are retried the same way.

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Epoch ms after which no new attempt starts. */
  deadline?: number;
}

/** The wait after failed attempt number `attempt` (1-based); `retryAfterMs` is the API's own ask. */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs: number | undefined, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Full jitter spreads the retries of many workers. Retry-After is a floor, never shortened, with up to
  // a tenth of it (at most the base delay) on top: after a 429 every worker waits it out anyway (one
  // pause for all), and a member waiting longer holds its place in the limit for nothing.
  return retryAfterMs === undefined ? random() * ceiling : retryAfterMs + random() * Math.min(policy.baseDelayMs, retryAfterMs / 10);
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP date>` → milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 408, 429 and 5xx: the request was not taken; the same request may succeed later. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
