import { describe, expect, it } from 'vitest';
import { accessTokenSchema } from '../../src/api/events.ts';
import { registered } from './fixtures/loyalty-events.ts';
import { manualClock, openSandbox } from './fixtures/sandbox-client.ts';

describe('POST /accesstoken/get issues bearer tokens', () => {
  it('answers the token shape with expires_in/expires_on as strings computed from the lifetime and clock', async () => {
    const clock = manualClock(Date.parse('2026-03-01T12:00:00.500Z'));
    const { client } = await openSandbox({ tokenLifetimeSeconds: 1234, now: clock.now });

    const reply = await client.fetchToken();

    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(accessTokenSchema.safeParse(reply.body).success).toBe(true);
    const nowSeconds = Math.floor(Date.parse('2026-03-01T12:00:00.500Z') / 1000);
    expect(reply.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: '1234',
      ext_expires_in: '1234',
      expires_on: String(nowSeconds + 1234),
      not_before: String(nowSeconds),
    });
    expect(typeof reply.body.resource).toBe('string');
    expect(reply.body.access_token).toMatch(/^\S{20,}$/);
  });

  it('issues a different token on every request, and each one is accepted by the events endpoint', async () => {
    const { client } = await openSandbox();
    const first = (await client.fetchToken()).body.access_token;
    const second = (await client.fetchToken()).body.access_token;
    expect(first).not.toBe(second);

    for (const token of [first, second]) {
      const reply = await client.sendEvent(registered(`c-${token.slice(-6)}`), { headers: { Authorization: `Bearer ${token}` } });
      expect(reply.status).toBe(200);
    }
  });

  it('defaults the lifetime to 3600 seconds and counts issued tokens', async () => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.fetchToken();
    expect(reply.body.expires_in).toBe('3600');
    expect(sandbox.stats().tokensIssued).toBe(1);
    expect(sandbox.stats().tokensRejected).toBe(0);
  });
});
