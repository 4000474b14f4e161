// The token endpoint is retried like the events endpoint; only a refusal of our credentials (or the URL)
// is fatal. Fakes are parameters: the answers, the clock and the waits.
import { describe, expect, it } from 'vitest';
import type { HttpAnswer } from '../../src/api/http.ts';
import { createApiHealth } from '../../src/deliver/api-health.ts';
import { createTokenFetcher } from '../../src/deliver/fetch-token.ts';

const POLICY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const TOKEN: HttpAnswer = { status: 200, text: JSON.stringify({ token_type: 'Bearer', expires_in: '3600', access_token: 'tok' }) };
const answer = (status: number, extra: Partial<HttpAnswer> = {}): HttpAnswer => ({ status, text: JSON.stringify({ statusCode: status, message: `answer ${status}` }), ...extra });

function harness(answers: (HttpAnswer | Error)[], health = createApiHealth('https://api.example.com')) {
  const sleeps: number[] = [];
  let requests = 0;
  const fetchToken = createTokenFetcher({
    request: async () => {
      requests++;
      const next = answers.shift() ?? TOKEN;
      if (next instanceof Error) throw next;
      return next;
    },
    policy: POLICY,
    health,
    now: () => 0,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { fetchToken, sleeps, requests: () => requests };
}

describe('fetching an access token', () => {
  it.each([408, 429, 500, 502, 503, 504])('retries a %i and then gets the token', async (status) => {
    const { fetchToken, requests } = harness([answer(status), answer(status)]);
    expect(await fetchToken()).toEqual({ token: 'tok', expiresAt: 3_600_000 });
    expect(requests()).toBe(3);
  });

  it('honours Retry-After on a 429 (never shorter)', async () => {
    const { fetchToken, sleeps } = harness([answer(429, { retryAfter: '7' })]);
    await fetchToken();
    expect(sleeps).toEqual([7050]);
  });

  it('retries network errors and a 200 that is not a token', async () => {
    const { fetchToken, requests } = harness([new Error('socket hang up'), { status: 200, text: '<html>maintenance</html>' }]);
    expect((await fetchToken()).token).toBe('tok');
    expect(requests()).toBe(3);
  });

  it.each([400, 401, 403, 404])('stops the run at once on a %i (credentials or URL refused)', async (status) => {
    const { fetchToken, requests } = harness([answer(status)]);
    await expect(fetchToken()).rejects.toMatchObject({ code: 'API_TOKEN_FAILED', status, message: expect.stringContaining(`refused: HTTP ${status}: answer ${status}`) });
    expect(requests()).toBe(1);
  });

  it('gives up after maxAttempts with the last answer as the cause', async () => {
    const { fetchToken, requests } = harness(Array(10).fill(answer(503)));
    await expect(fetchToken()).rejects.toMatchObject({ code: 'API_TOKEN_FAILED', message: expect.stringMatching(/failed after 4 attempts; last: HTTP 503/) });
    expect(requests()).toBe(4);
  });

  it('says API_UNREACHABLE when its first requests cannot connect', async () => {
    const refused = () => Object.assign(new Error('getaddrinfo ENOTFOUND api.example.com'), { code: 'ENOTFOUND' });
    const { fetchToken, requests } = harness([refused(), refused(), refused(), refused()]);
    await expect(fetchToken()).rejects.toMatchObject({ code: 'API_UNREACHABLE', message: expect.stringContaining('https://api.example.com cannot be reached') });
    expect(requests()).toBe(3);
  });

  it('keeps the answer text (and so any secret it echoes) out of the shape error', async () => {
    const { fetchToken } = harness(Array(4).fill({ status: 200, text: '{"access_token":"","client_secret":"s3cret"}' }));
    const error = await fetchToken().then(() => undefined, (caught: Error) => caught);
    expect(error?.message).toContain('unexpected shape');
    expect(error?.message).not.toContain('s3cret');
  });
});
