// `--concurrency auto`, the limiter alone with fake time: it grows while latency stays at its floor and
// the answers are 2xx, cuts on 429/503 and on rising latency, and grows back. No clock, no server: the
// answers are handed in as an API at its limit would give them.
import { describe, expect, it } from 'vitest';
import { createAdaptiveLimit, type LimitChange } from '../../src/deliver/adaptive-limit.ts';

const FLOOR_MS = 20;

function harness(options: { initial?: number; max?: number } = {}) {
  let clock = 1_000_000;
  const limiter = createAdaptiveLimit({ initial: options.initial ?? 8, max: options.max ?? 64, now: () => clock });
  const changes: LimitChange[] = [];
  const record = (latencyMs: number, status: number | undefined, inFlight: number, sentAt = clock - latencyMs) => {
    const change = limiter.record({ startedAt: sentAt, latencyMs, status, inFlight });
    if (change) changes.push(change);
  };
  /** `ms` of sending with every place in use: one answer per `step` ms with this latency and status. */
  const send = (ms: number, latencyMs = FLOOR_MS, status = 200, step = 5) => {
    for (let elapsed = 0; elapsed < ms; elapsed += step) {
      clock += step;
      record(latencyMs, status, limiter.limit);
    }
  };
  return {
    limiter,
    changes,
    send,
    record,
    advance: (ms: number) => (clock += ms),
    now: () => clock,
  };
}

describe('the adaptive concurrency limit', () => {
  it('doubles while latency stays at its floor and the answers are 2xx, up to --max-concurrency', () => {
    const { limiter, changes, send } = harness({ initial: 8, max: 64 });
    expect(limiter.limit).toBe(8);
    send(250);
    expect(limiter.limit).toBe(16);
    send(1000);
    expect(limiter.limit).toBe(64);
    send(5000);
    expect(limiter.limit).toBe(64);
    expect(changes.map((change) => change.to)).toEqual([16, 32, 64]);
    expect(changes.every((change) => change.reason === 'no queue')).toBe(true);
  });

  it('does not grow a limit that is not in use', () => {
    const { limiter, send, record, advance } = harness({ initial: 8 });
    send(200); // exactly one window
    expect(limiter.limit).toBe(16);
    // The run's last members: only 3 in flight under a limit of 16.
    for (let n = 0; n < 200; n++) {
      advance(5);
      record(FLOOR_MS, 200, 3);
    }
    expect(limiter.limit).toBe(16);
  });

  it('cuts at once on a 429, once per round: the other requests in flight then are old news', () => {
    const { limiter, changes, send, record, advance, now } = harness({ initial: 8 });
    send(800); // slow start: 8 → 16 → 32 → 64
    expect(limiter.limit).toBe(64);
    const sentBeforeTheCut = now() - 10;
    record(FLOOR_MS, 429, 64);
    expect(limiter.limit).toBe(32); // slow start overshot: half
    expect(changes.at(-1)).toEqual({ from: 64, to: 32, reason: 'rate limited (429)' });
    for (let n = 0; n < 40; n++) record(FLOOR_MS, 429, 60, sentBeforeTheCut);
    expect(limiter.limit).toBe(32);
    // A request sent after the cut that meets a 429 again is news: 70% this time.
    advance(1000);
    record(FLOOR_MS, 429, 32);
    expect(limiter.limit).toBe(22);
    expect(changes.filter((change) => change.reason === 'rate limited (429)')).toHaveLength(2);
  });

  it('cuts on a 503 like on a 429, and never below 1', () => {
    const { limiter, changes, record, advance } = harness({ initial: 4 });
    for (let n = 0; n < 10; n++) {
      advance(100);
      record(FLOOR_MS, 503, limiter.limit);
    }
    expect(limiter.limit).toBe(1);
    expect(changes[0]).toEqual({ from: 4, to: 2, reason: 'overloaded (503)' });
    expect(changes.every((change) => change.reason === 'overloaded (503)')).toBe(true);
  });

  it('grows back slowly after a 429, while latency stays at its floor', () => {
    const { limiter, changes, send, record } = harness({ initial: 8 });
    record(FLOOR_MS, 429, 8);
    expect(limiter.limit).toBe(4);
    // About a tenth of the limit (at least 1) per second: not the doubling of slow start.
    send(1000);
    expect(limiter.limit).toBe(5);
    send(3000);
    expect(limiter.limit).toBe(8);
    expect(changes.slice(1).every((change) => change.reason === 'no queue' && change.to === change.from + 1)).toBe(true);
    // A rate limit that is met again cuts again, and the growth starts over from there.
    record(FLOOR_MS, 429, 8);
    expect(limiter.limit).toBe(5);
    send(1000);
    expect(limiter.limit).toBe(6);
  });

  it('cuts when latency rises above its floor (a queue at the API), holds a small queue, grows back when it falls', () => {
    const { limiter, changes, send } = harness({ initial: 8 });
    send(800);
    expect(limiter.limit).toBe(64);
    // A server at its capacity of 24: with L in flight, every answer waits (L − 24) / 24 latencies.
    const atCapacity = (limit: number) => FLOOR_MS * Math.max(1, limit / 24);
    for (let window = 0; window < 40; window++) send(250, atCapacity(limiter.limit));
    const settled = limiter.limit;
    // Settled above the capacity (the API stays busy), with a queue of a few requests, far below 64.
    expect(settled).toBeGreaterThanOrEqual(24);
    expect(settled).toBeLessThanOrEqual(40);
    expect(changes.some((change) => change.reason === 'latency rising')).toBe(true);
    for (let window = 0; window < 40; window++) send(250, atCapacity(limiter.limit));
    expect(Math.abs(limiter.limit - settled)).toBeLessThanOrEqual(3);
    // The API gets faster (capacity 48): latency back at its floor, and the limit grows again.
    const before = limiter.limit;
    send(2000, FLOOR_MS);
    expect(limiter.limit).toBeGreaterThan(before);
    expect(changes.at(-1)!.reason).toBe('no queue');
  });

  it('keeps one slow answer in a window from looking like a queue (its fastest answer counts)', () => {
    const { limiter, send, record, advance } = harness({ initial: 8 });
    send(250);
    expect(limiter.limit).toBe(16);
    // A garbage-collection pause of ours delays some answers; the fastest still come at the floor.
    for (let n = 0; n < 60; n++) {
      advance(5);
      record(n % 3 === 0 ? FLOOR_MS : 400, 200, limiter.limit);
    }
    expect(limiter.limit).toBe(32);
  });

  it('learns nothing from answers that say nothing about load: network errors, 4xx, other 5xx', () => {
    const { limiter, record, advance } = harness({ initial: 8 });
    for (const status of [undefined, 400, 401, 409, 500, 502, 504]) {
      for (let n = 0; n < 100; n++) {
        advance(5);
        record(5_000, status, 8);
      }
    }
    expect(limiter.limit).toBe(8);
  });
});
