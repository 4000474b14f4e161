// Decides which fault, if any, hits one `POST /loyalty/v1/events` request. Every random decision is
// drawn when the request arrives, always the same five draws in the same order, so the fault sequence
// depends only on the seed and the arrival order of requests, never on the settings' history, on
// latency, or on which branch an earlier request took.
import { createPrng } from './prng.ts';
import { ConfigError } from '../errors.ts';
import { formatOptionIssues, mergeFaults, parseFaultsPatch, type RateLimit, type SandboxFaults, type SandboxFaultsPatch } from './sandbox-options.ts';

export interface FaultPlan {
  /** Destroy the socket before reading the request (`resetRate`). */
  reset: boolean;
  /** Hold the request this long before processing (`latencyMs` + uniform 0..`jitterMs`). */
  delayMs: number;
  /** Answer this 5xx instead of applying a valid event (`errorRate`). */
  serverError: 500 | 502 | 503 | undefined;
  /** Apply and record the event, then destroy the socket instead of answering 200 (`acceptThenDropRate`). */
  drop: boolean;
  /** Apply and record the event, then answer 200 with an HTML body instead of the accepted JSON (`nonJsonAcceptRate`). */
  nonJsonAnswer: boolean;
}

/** What one token request meets: its delay, and the status it is answered instead of a token. */
export interface TokenFaultPlan {
  delayMs: number;
  failure?: { status: number; retryAfterSeconds?: number };
}

const SERVER_ERRORS = [500, 502, 503] as const;
const TOKEN_STREAM = 0x5bd1e995;

export class FaultInjector {
  #faults: SandboxFaults;
  #random: () => number;
  /** A separate stream for the token endpoint, so fetching a token does not shift the events' faults. */
  #tokenRandom: () => number;
  #bucket: TokenBucket | undefined;

  constructor(faults: SandboxFaults) {
    this.#faults = faults;
    this.#random = createPrng(faults.seed);
    this.#tokenRandom = createPrng(faults.seed ^ TOKEN_STREAM);
    this.#bucket = faults.rateLimit ? new TokenBucket(faults.rateLimit) : undefined;
  }

  get faults(): SandboxFaults {
    return this.#faults;
  }

  /** Applies a patch (ConfigError if invalid). A new seed restarts the PRNG; a new rate limit starts with a full bucket. */
  update(patch: SandboxFaultsPatch): SandboxFaults {
    const result = parseFaultsPatch(patch);
    if (!result.ok) throw new ConfigError(`invalid sandbox faults: ${formatOptionIssues(result.issues)}`);
    const parsed = result.value;
    this.#faults = mergeFaults(parsed, this.#faults);
    if (parsed.seed !== undefined) this.#restartRandom();
    if (parsed.rateLimit !== undefined) this.#bucket = this.#faults.rateLimit ? new TokenBucket(this.#faults.rateLimit) : undefined;
    return this.#faults;
  }

  /** Back to the state right after start with the current settings (used by reset): same seed, full bucket. */
  restart(): void {
    this.#restartRandom();
    this.#bucket = this.#faults.rateLimit ? new TokenBucket(this.#faults.rateLimit) : undefined;
  }

  plan(): FaultPlan {
    const draws = [this.#random(), this.#random(), this.#random(), this.#random(), this.#random()] as const;
    const f = this.#faults;
    return {
      reset: draws[0] < f.resetRate,
      serverError: draws[1] < f.errorRate ? SERVER_ERRORS[Math.floor(draws[2] * SERVER_ERRORS.length)] : undefined,
      drop: draws[3] < f.acceptThenDropRate,
      // The same draw: an accepted answer is dropped, or garbled, or sent as it is.
      nonJsonAnswer: draws[3] >= f.acceptThenDropRate && draws[3] < f.acceptThenDropRate + f.nonJsonAcceptRate,
      delayMs: f.latencyMs + (f.jitterMs > 0 ? Math.floor(draws[4] * (f.jitterMs + 1)) : 0),
    };
  }

  /** The faults one token request meets; a counted `tokenFailures` is used up one request at a time. */
  tokenPlan(): TokenFaultPlan {
    const { latencyMs, jitterMs, tokenLatencyMs, tokenFailures } = this.#faults;
    const delayMs = latencyMs + tokenLatencyMs + (jitterMs > 0 ? Math.floor(this.#tokenRandom() * (jitterMs + 1)) : 0);
    if (!tokenFailures) return { delayMs };
    if (tokenFailures.count !== undefined) {
      const left = tokenFailures.count - 1;
      this.#faults = mergeFaults({ tokenFailures: left > 0 ? { ...tokenFailures, count: left } : null }, this.#faults);
    }
    const { status, retryAfterSeconds } = tokenFailures;
    return { delayMs, failure: { status, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) } };
  }

  /** Takes one request from the rate-limit bucket; `undefined` when admitted, else the Retry-After seconds. */
  rateLimit(nowMs: number): number | undefined {
    if (!this.#bucket || this.#bucket.take(nowMs)) return undefined;
    return this.#bucket.retryAfterSeconds;
  }

  failsContact(contactId: string): boolean {
    return this.#faults.failContactIds.includes(contactId);
  }

  #restartRandom(): void {
    this.#random = createPrng(this.#faults.seed);
    this.#tokenRandom = createPrng(this.#faults.seed ^ TOKEN_STREAM);
  }
}

/** Classic token bucket: holds up to one second's worth of requests (at least 1), refilled continuously. */
class TokenBucket {
  readonly retryAfterSeconds: number;
  readonly #perMs: number;
  readonly #capacity: number;
  #tokens: number;
  #lastMs: number | undefined;

  constructor(limit: RateLimit) {
    this.retryAfterSeconds = limit.retryAfterSeconds;
    this.#perMs = limit.requestsPerSecond / 1000;
    this.#capacity = Math.max(1, limit.requestsPerSecond);
    this.#tokens = this.#capacity;
  }

  take(nowMs: number): boolean {
    // The clock is only known at the first request; a clock that goes backwards refills nothing.
    const elapsed = this.#lastMs === undefined ? 0 : Math.max(0, nowMs - this.#lastMs);
    this.#lastMs = nowMs;
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
