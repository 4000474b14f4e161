// `--max-rate N`: at most N requests a second, for a merchant who knows the API's quota. A token bucket
// holding a tenth of a second's worth (at least 1): requests go out evenly spaced, in the order they
// asked, and a quiet spell never builds up a burst the quota would refuse. Every attempt counts, retries
// too: the quota is the API's, it counts requests.
import { TokenBucket } from '../base/token-bucket.ts';
import { abortableSleep } from './backoff.ts';

export interface RateCap {
  readonly perSecond: number;
  /** Resolves when this request may go (at once when the signal aborts). */
  wait(signal?: AbortSignal): Promise<void>;
}

export interface RateCapDeps {
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createRateCap(perSecond: number, deps: RateCapDeps = {}): RateCap {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const bucket = new TokenBucket(perSecond, Math.max(1, perSecond / 10));
  return {
    perSecond,
    async wait(signal) {
      const ms = bucket.reserve(now());
      if (ms > 0) await sleep(ms, signal);
    },
  };
}
