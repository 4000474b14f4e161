// --max-rate N: at most N requests a second, every attempt counted (retries too), with fake time.
import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../src/api/http.ts';
import { createTokenCache } from '../../src/api/token-cache.ts';
import { createRateCap } from '../../src/deliver/rate-cap.ts';
import { createEventSender } from '../../src/deliver/send-event.ts';

function fakeTime() {
  let clock = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    advance: (ms: number) => (clock += ms),
    sleeps,
  };
}

describe('--max-rate', () => {
  it('spaces requests 1/N s apart, in the order they asked, after a burst of a tenth of a second', async () => {
    const time = fakeTime();
    // 14 callers ask at the same instant: 10 go at once (a tenth of a second's worth at 100/s), each of
    // the next waits one more 10 ms slot. Turns are reserved before anybody sleeps.
    const together: number[] = [];
    const asked = createRateCap(100, { now: time.now, sleep: async (ms) => void together.push(ms) });
    await Promise.all(Array.from({ length: 14 }, () => asked.wait()));
    expect(together).toEqual([10, 20, 30, 40]);

    // A quiet spell does not save up more than that tenth of a second: after a minute, 10 at once, then 10 ms apart.
    const cap = createRateCap(100, time);
    await cap.wait();
    time.advance(60_000);
    for (let n = 0; n < 15; n++) await cap.wait();
    expect(time.sleeps).toHaveLength(5);
    expect(time.sleeps.every((ms) => Math.abs(ms - 10) < 1e-6)).toBe(true);
  });

  it('counts every attempt: a retried event waits for a turn before each one', async () => {
    const time = fakeTime();
    const answers: HttpAnswer[] = [
      { status: 503, text: '{}' },
      { status: 503, text: '{}' },
    ];
    const postedAt: number[] = [];
    const send = createEventSender({
      post: async () => {
        postedAt.push(time.now());
        return answers.shift() ?? { status: 200, text: '{"status":"accepted","eventId":"e"}' };
      },
      tokens: createTokenCache(async () => ({ token: 't', expiresAt: Infinity }), time.now),
      policy: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1 },
      // One request a second, no burst beyond the first: every attempt after the first waits for its second.
      rateCap: createRateCap(1, time),
      now: time.now,
      random: () => 0,
      sleep: time.sleep,
    });
    expect(await send({ eventId: 'e', body: '{}' })).toMatchObject({ accepted: true, attempts: 3 });
    expect(postedAt.map((at) => at - postedAt[0]!)).toEqual([0, 1000, 2000]);
  });
});
