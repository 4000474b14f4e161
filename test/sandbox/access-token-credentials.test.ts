import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox, TOKEN_HEADERS } from './fixtures/sandbox-client.ts';

const CREDENTIALS = {
  clientId: TOKEN_HEADERS.client_id,
  clientSecret: TOKEN_HEADERS.client_secret,
  subscriptionKey: TOKEN_HEADERS['Ocp-Apim-Subscription-Key'],
  merchantSerialNumber: TOKEN_HEADERS['Merchant-Serial-Number'],
};

describe('token credentials', () => {
  it.each(Object.keys(TOKEN_HEADERS))('answers 401 in the gateway shape naming %s when it is missing', async (header) => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.fetchToken({ [header]: undefined });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({ statusCode: 401, message: expect.stringContaining(header) });
    expect(sandbox.stats().tokensRejected).toBe(1);
  });

  it('answers 401 for an empty header value', async () => {
    const { client } = await openSandbox();
    const reply = await client.fetchToken({ client_secret: '   ' });
    expect(reply.status).toBe(401);
    expect(reply.body.message).toContain('client_secret');
  });

  it('accepts any non-empty values when no credentials are configured', async () => {
    const { client } = await openSandbox();
    const reply = await client.fetchToken({ client_id: 'anything', client_secret: 'x', 'Ocp-Apim-Subscription-Key': 'k', 'Merchant-Serial-Number': '1' });
    expect(reply.status).toBe(200);
  });

  it('issues a token for exactly the configured credentials when they are enforced', async () => {
    const { client } = await openSandbox({ credentials: CREDENTIALS });
    expect((await client.fetchToken()).status).toBe(200);
  });

  it.each(Object.keys(TOKEN_HEADERS))('refuses a wrong %s when credentials are enforced, without echoing any secret', async (header) => {
    const { client } = await openSandbox({ credentials: CREDENTIALS });
    const reply = await client.fetchToken({ [header]: 'wrong-value' });
    expect(reply.status).toBe(401);
    expect(reply.body.message).toContain(header);
    const text = JSON.stringify(reply.body);
    for (const secret of [...Object.values(CREDENTIALS), 'wrong-value']) expect(text).not.toContain(secret);
  });

  it.each(['Ocp-Apim-Subscription-Key', 'Merchant-Serial-Number'])(
    'refuses an event whose %s differs from the enforced credentials with 401',
    async (header) => {
      const { client, sandbox } = await openSandbox({ credentials: CREDENTIALS });
      const reply = await client.sendEvent(registered('c-1'), { headers: { [header]: 'other' } });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ statusCode: 401, message: expect.stringContaining(header) });
      expect(sandbox.members()).toEqual([]);
    },
  );

  it('accepts events with any subscription key and MSN when credentials are not enforced', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { 'Merchant-Serial-Number': '999999' } });
    expect(reply.status).toBe(200);
  });
});
