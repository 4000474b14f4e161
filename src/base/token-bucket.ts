// A token bucket: `perSecond` tokens a second, refilled continuously, holding at most `capacity`. The
// sandbox's rate limit (one bucket per merchant) admits or refuses with `take`; the job's --max-rate
// queues with `reserve`. The clock is handed in on every call, so both are tested with fake time.

export class TokenBucket {
  readonly perSecond: number;
  readonly capacity: number;
  #tokens: number;
  #lastMs: number | undefined;

  /** Starts full: a client that was quiet may send a burst of `capacity` at once. */
  constructor(perSecond: number, capacity: number) {
    if (!(perSecond > 0) || !(capacity >= 1)) throw new RangeError(`a token bucket needs a positive rate and a capacity of at least 1, got ${perSecond}/s and ${capacity}`);
    this.perSecond = perSecond;
    this.capacity = capacity;
    this.#tokens = capacity;
  }

  /** Takes a token if one is there; refuses (and takes nothing) otherwise. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Takes a token now or from the future: the milliseconds until it is really there (0 when it is).
   * Callers that each reserve and wait are served in order, one token apart, without a queue of their own.
   */
  reserve(nowMs: number): number {
    this.#refill(nowMs);
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / this.perSecond) * 1000;
  }

  #refill(nowMs: number): void {
    // The clock is only known at the first call; a clock that goes backwards refills nothing.
    const elapsed = this.#lastMs === undefined ? 0 : Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = Math.max(nowMs, this.#lastMs ?? nowMs);
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed / 1000) * this.perSecond);
  }
}
