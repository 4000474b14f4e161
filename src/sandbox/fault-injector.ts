// Decides which fault, if any, hits one `POST /loyalty/v1/events` request. Every random decision is
// drawn when the request arrives, always the same five draws in the same order, so the fault sequence
// depends only on the seed and the arrival order of requests, never on the settings' history, on
// latency, or on which branch an earlier request took.
import pLimit, { type LimitFunction } from 'p-limit';
import { TokenBucket } from '../base/token-bucket.ts';
import { createPrng } from './prng.ts';
import { ConfigError } from '../errors.ts';
import { formatOptionIssues, mergeFaults, parseFaultsPatch, type SandboxFaults, type SandboxFaultsPatch } from './sandbox-options.ts';

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
  /** The rate limit's buckets, one per merchant serial number, each made full at its merchant's first request. */
  #buckets = new Map<string, TokenBucket>();
  /** The service's places (`capacity`); unlimited when off. */
  readonly #places: LimitFunction;

  constructor(faults: SandboxFaults) {
    this.#faults = faults;
    this.#random = createPrng(faults.seed);
    this.#tokenRandom = createPrng(faults.seed ^ TOKEN_STREAM);
    this.#places = pLimit(faults.capacity ?? Infinity);
  }

  get faults(): SandboxFaults {
    return this.#faults;
  }

  /**
   * Applies a patch (ConfigError if invalid). A new seed restarts the PRNG; a new rate limit starts every
   * merchant with a full bucket; a new capacity applies to the requests waiting for a place too.
   */
  update(patch: SandboxFaultsPatch): SandboxFaults {
    const result = parseFaultsPatch(patch);
    if (!result.ok) throw new ConfigError(`invalid sandbox faults: ${formatOptionIssues(result.issues)}`);
    const parsed = result.value;
    this.#faults = mergeFaults(parsed, this.#faults);
    if (parsed.seed !== undefined) this.#restartRandom();
    if (parsed.rateLimit !== undefined) this.#buckets.clear();
    if (parsed.capacity !== undefined) this.#places.concurrency = this.#faults.capacity ?? Infinity;
    return this.#faults;
  }

  /** Back to the state right after start with the current settings (used by reset): same seed, full buckets. */
  restart(): void {
    this.#restartRandom();
    this.#buckets.clear();
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

  /**
   * Takes one request from its merchant's rate-limit bucket (a second's worth of requests, at least 1);
   * `undefined` when admitted, else the Retry-After seconds.
   */
  rateLimit(merchantSerialNumber: string, nowMs: number): number | undefined {
    const limit = this.#faults.rateLimit;
    if (!limit) return undefined;
    let bucket = this.#buckets.get(merchantSerialNumber);
    if (!bucket) this.#buckets.set(merchantSerialNumber, (bucket = new TokenBucket(limit.requestsPerSecond, Math.max(1, limit.requestsPerSecond))));
    return bucket.take(nowMs) ? undefined : limit.retryAfterSeconds;
  }

  /** Whether every place of the service is taken: a request arriving now waits for one. */
  get atCapacity(): boolean {
    return this.#places.activeCount >= this.#places.concurrency;
  }

  /** The time a request spends in the service (`work`), in one of its `capacity` places, first waiting for a free one. */
  serve(work: () => Promise<void>): Promise<void> {
    // Without a capacity nothing waits: no queue in the way of the sandbox's own throughput.
    return this.#faults.capacity === null ? work() : this.#places(work);
  }

  failsContact(contactId: string): boolean {
    return this.#faults.failContactIds.includes(contactId);
  }

  #restartRandom(): void {
    this.#random = createPrng(this.#faults.seed);
    this.#tokenRandom = createPrng(this.#faults.seed ^ TOKEN_STREAM);
  }
}
