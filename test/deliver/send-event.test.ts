// Retry behaviour of one event: what is retried, how long it waits, when it gives up.
import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../src/api/http.ts';
import { createTokenCache } from '../../src/api/token-cache.ts';
import { createEventSender, parseRetryAfter, type RetryPolicy } from '../../src/deliver/send-event.ts';

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
const ok: HttpAnswer = { status: 200, text: '{"status":"accepted","eventId":"e"}' };
const problem = (status: number, extra: Partial<HttpAnswer> = {}): HttpAnswer => ({ status, text: JSON.stringify({ title: 'x', status, detail: `detail ${status}` }), ...extra });

function harness(answers: (HttpAnswer | Error)[], options: { random?: () => number; policy?: RetryPolicy; now?: () => number } = {}) {
  const sleeps: number[] = [];
  const tokensIssued: string[] = [];
  const posts: string[] = [];
  let clock = 0;
  const now = options.now ?? (() => clock);
  const tokens = createTokenCache(async () => {
    tokensIssued.push(`t${tokensIssued.length + 1}`);
    return { token: tokensIssued.at(-1)!, expiresAt: now() + 3_600_000 };
  }, now);
  const send = createEventSender({
    post: async (_body, token) => {
      posts.push(token);
      const answer = answers.shift() ?? ok;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    tokens,
    policy: options.policy ?? POLICY,
    now,
    random: options.random ?? (() => 0.5),
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  return { send, sleeps, tokensIssued, posts };
}

describe('sending one event', () => {
  it('retries network errors, 408, 429 and 5xx, then succeeds', async () => {
    const { send, sleeps } = harness([new Error('socket hang up'), problem(408), problem(500), problem(503)]);
    expect(await send('{}')).toEqual({ accepted: true, attempts: 5, status: 200 });
    // Full jitter: random × min(max, base × 2^(attempt-1)) with random = 0.5.
    expect(sleeps).toEqual([50, 100, 200, 400]);
  });

  it('spreads retry delays (full jitter), never a fixed schedule', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { send, sleeps } = harness([problem(503)], { random: Math.random });
      await send('{}');
      delays.push(sleeps[0]!);
    }
    expect(new Set(delays).size).toBeGreaterThan(30);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(POLICY.baseDelayMs);
  });

  it('honours Retry-After in seconds and as an HTTP date, and pauses every worker after a 429', async () => {
    const { send, sleeps } = harness([problem(429, { retryAfter: '2' }), problem(503, { retryAfter: new Date(Date.UTC(1970, 0, 1, 0, 0, 5)).toUTCString() })], { random: () => 0 });
    expect((await send('{}')).accepted).toBe(true);
    // 2 s after the 429; the 503's date lies 5 s after the epoch our clock started at, 2 s already passed.
    expect(sleeps).toEqual([2000, 3000]);
    expect(parseRetryAfter('1.5', 0)).toBe(1500);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('makes every worker wait out a 429 that one of them saw', async () => {
    const clock = 0;
    const sleeps: { who: string; ms: number }[] = [];
    const answers: HttpAnswer[] = [problem(429, { retryAfter: '3' })];
    let sleeping = 'first';
    const send = createEventSender({
      post: async () => answers.shift() ?? ok,
      tokens: createTokenCache(async () => ({ token: 't', expiresAt: Infinity }), () => clock),
      policy: POLICY,
      now: () => clock,
      random: () => 0,
      sleep: async (ms) => {
        sleeps.push({ who: sleeping, ms });
        // While the first worker waits out the 429, a second one starts: it must wait too.
        if (sleeping === 'first') {
          sleeping = 'second';
          await send('{}');
        }
      },
    });
    await send('{}');
    expect(sleeps[0]).toEqual({ who: 'first', ms: 3000 });
    expect(sleeps[1]).toEqual({ who: 'second', ms: 3000 });
  });

  it('treats other 4xx as permanent, with the problem detail', async () => {
    const { send, sleeps } = harness([problem(400)]);
    expect(await send('{}')).toEqual({ accepted: false, attempts: 1, status: 400, code: 'API_REJECTED', detail: 'HTTP 400: x: detail 400' });
    expect(sleeps).toEqual([]);
  });

  it('on 401 refreshes the token once and retries; a second 401 is permanent', async () => {
    const refreshed = harness([problem(401)]);
    expect((await refreshed.send('{}')).accepted).toBe(true);
    expect(refreshed.posts).toEqual(['t1', 't2']);

    const twice = harness([problem(401), problem(401)]);
    expect(await twice.send('{}')).toMatchObject({ accepted: false, status: 401, code: 'API_REJECTED' });
    expect(twice.tokensIssued).toEqual(['t1', 't2']);
  });

  it('gives up after maxAttempts, and at the run deadline', async () => {
    const exhausted = harness(Array(10).fill(problem(502)));
    expect(await exhausted.send('{}')).toMatchObject({ accepted: false, attempts: 5, code: 'API_RETRIES_EXHAUSTED', status: 502 });
    expect(exhausted.sleeps).toHaveLength(4);

    const late = harness(Array(10).fill(problem(502)), { policy: { ...POLICY, deadline: 120 } });
    expect(await late.send('{}')).toMatchObject({ accepted: false, code: 'API_DEADLINE' });
  });

  it('parses gateway-shaped and non-JSON error bodies without throwing', async () => {
    const { send } = harness([{ status: 403, text: '{"statusCode":403,"message":"Out of call volume quota"}' }]);
    expect(await send('{}')).toMatchObject({ detail: 'HTTP 403: Out of call volume quota' });
    const html = harness([{ status: 404, text: '<html><body>Not  Found</body></html>' }]);
    expect(await html.send('{}')).toMatchObject({ detail: 'HTTP 404: <html><body>Not Found</body></html>' });
  });
});
