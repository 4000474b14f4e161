// Retry behaviour of one event: what is retried, how long it waits, when it gives up.
import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../src/api/http.ts';
import { createTokenCache } from '../../src/api/token-cache.ts';
import { createApiHealth, type ApiHealth } from '../../src/deliver/api-health.ts';
import { parseRetryAfter } from '../../src/deliver/backoff.ts';
import { createEventSender, type RetryPolicy } from '../../src/deliver/send-event.ts';

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
const ok: HttpAnswer = { status: 200, text: '{"status":"accepted","eventId":"e"}' };
const EVENT = { eventId: 'e', body: '{}' };
const problem = (status: number, extra: Partial<HttpAnswer> = {}): HttpAnswer => ({ status, text: JSON.stringify({ title: 'x', status, detail: `detail ${status}` }), ...extra });

function harness(answers: (HttpAnswer | Error)[], options: { random?: () => number; policy?: RetryPolicy; now?: () => number; health?: ApiHealth } = {}) {
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
    ...(options.health && { health: options.health }),
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
    expect(await send(EVENT)).toEqual({ accepted: true, attempts: 5, status: 200 });
    // Full jitter: random × min(max, base × 2^(attempt-1)) with random = 0.5.
    expect(sleeps).toEqual([50, 100, 200, 400]);
  });

  it('spreads retry delays (full jitter), never a fixed schedule', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { send, sleeps } = harness([problem(503)], { random: Math.random });
      await send(EVENT);
      delays.push(sleeps[0]!);
    }
    expect(new Set(delays).size).toBeGreaterThan(30);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(POLICY.baseDelayMs);
  });

  it('honours Retry-After in seconds and as an HTTP date, and pauses every worker after a 429', async () => {
    const { send, sleeps } = harness([problem(429, { retryAfter: '2' }), problem(503, { retryAfter: new Date(Date.UTC(1970, 0, 1, 0, 0, 5)).toUTCString() })], { random: () => 0 });
    expect((await send(EVENT)).accepted).toBe(true);
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
          await send(EVENT);
        }
      },
    });
    await send(EVENT);
    expect(sleeps[0]).toEqual({ who: 'first', ms: 3000 });
    expect(sleeps[1]).toEqual({ who: 'second', ms: 3000 });
  });

  it('treats other 4xx as permanent, with the problem detail', async () => {
    const { send, sleeps } = harness([problem(400)]);
    expect(await send(EVENT)).toEqual({ accepted: false, attempts: 1, status: 400, code: 'API_REJECTED', detail: 'HTTP 400: x: detail 400', outcome: 'refused' });
    expect(sleeps).toEqual([]);
  });

  it('on 401 refreshes the token once and retries; a second 401 is permanent', async () => {
    const refreshed = harness([problem(401)]);
    expect((await refreshed.send(EVENT)).accepted).toBe(true);
    expect(refreshed.posts).toEqual(['t1', 't2']);

    const twice = harness([problem(401), problem(401)]);
    expect(await twice.send(EVENT)).toMatchObject({ accepted: false, status: 401, code: 'API_REJECTED' });
    expect(twice.tokensIssued).toEqual(['t1', 't2']);
  });

  it('gives up after maxAttempts, and at the run deadline', async () => {
    const exhausted = harness(Array(10).fill(problem(502)));
    expect(await exhausted.send(EVENT)).toMatchObject({ accepted: false, attempts: 5, code: 'API_RETRIES_EXHAUSTED', status: 502 });
    expect(exhausted.sleeps).toHaveLength(4);

    const late = harness(Array(10).fill(problem(502)), { policy: { ...POLICY, deadline: 120 } });
    expect(await late.send(EVENT)).toMatchObject({ accepted: false, code: 'API_DEADLINE' });
  });

  it('parses gateway-shaped and non-JSON error bodies without throwing', async () => {
    const { send } = harness([{ status: 403, text: '{"statusCode":403,"message":"Out of call volume quota"}' }]);
    expect(await send(EVENT)).toMatchObject({ detail: 'HTTP 403: Out of call volume quota' });
    const html = harness([{ status: 404, text: '<html><body>Not  Found</body></html>' }]);
    expect(await html.send(EVENT)).toMatchObject({ detail: 'HTTP 404: <html><body>Not Found</body></html>' });
  });

  it('does not send when the run may no longer send (its lock is lost)', async () => {
    const posts: string[] = [];
    const send = createEventSender({
      post: async (body) => {
        posts.push(body);
        return ok;
      },
      tokens: createTokenCache(async () => ({ token: 't', expiresAt: Infinity })),
      policy: POLICY,
      checkBeforeSend: () => {
        throw new Error('lock lost');
      },
    });
    await expect(send(EVENT)).rejects.toThrow('lock lost');
    expect(posts).toEqual([]);
  });
});

const connectError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code });

describe('the outcome of an event that was not accepted', () => {
  it.each([
    ['a 2xx that is not the accepted JSON', { status: 200, text: '<html>OK</html>' }],
    ['an acceptance of another event id', { status: 200, text: '{"status":"accepted","eventId":"other"}' }],
    ['an empty 204', { status: 204, text: '' }],
  ])('is not accepted on %s: retried, and unknown when retries run out', async (_case, answer) => {
    const { send, posts } = harness(Array(5).fill(answer));
    const result = await send(EVENT);
    expect(result).toMatchObject({ accepted: false, code: 'API_RETRIES_EXHAUSTED', outcome: 'unknown', detail: expect.stringMatching(/not the accepted answer.*may have applied it/) });
    expect(posts).toHaveLength(5);
    // The same request answered properly later is accepted.
    expect(await harness([answer]).send(EVENT)).toMatchObject({ accepted: true, attempts: 2 });
  });

  it.each([
    ['a connection lost after sending', new Error('other side closed')],
    ['a timeout waiting for the answer', Object.assign(new Error('Headers Timeout Error'), { code: 'UND_ERR_HEADERS_TIMEOUT' })],
    ['a 502 from the gateway', problem(502)],
    ['a 504 from the gateway', problem(504)],
  ])('is unknown (in doubt) after %s', async (_case, answer) => {
    const { send } = harness([answer, ...Array(4).fill(problem(503))]);
    expect(await send(EVENT)).toMatchObject({ accepted: false, outcome: 'unknown' });
  });

  it.each([
    ['connections refused', connectError('ECONNREFUSED')],
    ['a name that does not resolve', connectError('ENOTFOUND')],
    ['500 and 503 answers', problem(500)],
    ['429 answers', problem(429)],
  ])('is not delivered after %s only', async (_case, answer) => {
    const { send } = harness([answer, ...Array(4).fill(problem(503))]);
    expect(await send(EVENT)).toMatchObject({ accepted: false, code: 'API_RETRIES_EXHAUSTED', outcome: 'not-delivered' });
  });

  it('is refused when the service refuses the bytes after an attempt in doubt (it cannot have applied them)', async () => {
    const { send } = harness([new Error('other side closed'), problem(400)]);
    expect(await send(EVENT)).toMatchObject({ code: 'API_REJECTED', status: 400, outcome: 'refused' });
  });

  it('stays unknown when the gateway refuses after an attempt in doubt (401 twice, 403)', async () => {
    expect(await harness([new Error('socket hang up'), problem(401), problem(401)]).send(EVENT)).toMatchObject({ code: 'API_REJECTED', status: 401, outcome: 'unknown' });
    expect(await harness([problem(403)]).send(EVENT)).toMatchObject({ code: 'API_REJECTED', status: 403, outcome: 'not-delivered' });
  });
});

describe('an API that cannot be reached', () => {
  it('stops with API_UNREACHABLE when the first requests all fail to connect', async () => {
    const health = createApiHealth('http://127.0.0.1:9/base');
    const { send } = harness(Array(10).fill(connectError('ECONNREFUSED')), { health });
    await expect(send(EVENT)).rejects.toMatchObject({ code: 'API_UNREACHABLE', message: expect.stringMatching(/http:\/\/127\.0\.0\.1:9 cannot be reached: the first 3 requests failed to connect \(last: ECONNREFUSED/) });
  });

  it('retries connection failures as usual once the API has answered', async () => {
    const health = createApiHealth('http://127.0.0.1:9');
    const first = harness([problem(503)], { health });
    expect((await first.send(EVENT)).accepted).toBe(true);
    const later = harness([...Array(4).fill(connectError('ECONNREFUSED'))], { health });
    expect(await later.send(EVENT)).toMatchObject({ accepted: true, attempts: 5 });
  });
});

