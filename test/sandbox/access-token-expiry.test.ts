import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { manualClock, openSandbox } from './fixtures/sandbox-client.ts';

describe('event requests need a valid, unexpired bearer token', () => {
  it('accepts a token until its lifetime has passed and answers 401 afterwards', async () => {
    const clock = manualClock();
    const { client, sandbox } = await openSandbox({ tokenLifetimeSeconds: 60, now: clock.now });
    await client.accessToken();

    clock.advance(59_999);
    expect((await client.sendEvent(registered('c-1'))).status).toBe(200);

    clock.advance(1);
    const expired = await client.sendEvent(registered('c-2'));
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ statusCode: 401, message: expect.stringMatching(/expired/) });
    expect(sandbox.member('c-2')).toBeUndefined();
    expect(sandbox.stats().byStatus).toMatchObject({ '200': 1, '401': 1 });
  });

  it('accepts a fresh token after the old one expired', async () => {
    const clock = manualClock();
    const { client } = await openSandbox({ tokenLifetimeSeconds: 1, now: clock.now });
    const old = await client.accessToken();
    clock.advance(1000);
    const fresh = (await client.fetchToken()).body.access_token;
    expect((await client.sendEvent(registered('c-1'), { headers: { Authorization: `Bearer ${old}` } })).status).toBe(401);
    expect((await client.sendEvent(registered('c-1'), { headers: { Authorization: `Bearer ${fresh}` } })).status).toBe(200);
  });

  it.each([
    ['missing', undefined, /Authorization/],
    ['not a bearer token', 'Basic dXNlcjpwYXNz', /Authorization/],
    ['an unknown token', 'Bearer sbx.not-issued-by-this-sandbox', /unknown/],
  ])('answers 401 in the gateway shape when the Authorization header is %s', async (_case, authorization, message) => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { Authorization: authorization } });
    expect(reply.status).toBe(401);
    expect(reply.contentType).not.toContain('problem');
    expect(reply.body).toEqual({ statusCode: 401, message: expect.stringMatching(message) });
    expect(sandbox.stats().accepted).toBe(0);
  });

  it('does not accept a token issued by another sandbox instance', async () => {
    const first = await openSandbox();
    const second = await openSandbox();
    const foreign = await first.client.accessToken();
    const reply = await second.client.sendEvent(registered('c-1'), { headers: { Authorization: `Bearer ${foreign}` } });
    expect(reply.status).toBe(401);
  });
});
