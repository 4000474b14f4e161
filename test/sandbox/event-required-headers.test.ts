import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox, SYSTEM_HEADERS } from './fixtures/sandbox-client.ts';

// Checked by the service once the gateway let the request in (the subscription key is the gateway's: below).
const REQUIRED = ['Merchant-Serial-Number', ...Object.keys(SYSTEM_HEADERS)];

describe('event requests need every required header', () => {
  it.each(REQUIRED)('answers a 400 problem naming %s when it is missing', async (header) => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { [header]: undefined } });
    expect(reply.status).toBe(400);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 400, title: expect.any(String), traceId: expect.any(String) });
    expect(reply.body.detail).toContain(header);
    expect(reply.body.extraDetails).toEqual([{ field: header, message: expect.stringMatching(/missing/) }]);
    expect(sandbox.members()).toEqual([]);
  });

  it.each(REQUIRED)('treats an empty %s as missing', async (header) => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { [header]: '' } });
    expect(reply.status).toBe(400);
    expect(reply.body.extraDetails.map((issue: { field: string }) => issue.field)).toEqual([header]);
  });

  it.each(Object.keys(SYSTEM_HEADERS))('refuses %s longer than 30 characters and accepts exactly 30', async (header) => {
    const { client } = await openSandbox();
    const tooLong = await client.sendEvent(registered('c-1'), { headers: { [header]: 'x'.repeat(31) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.extraDetails).toEqual([{ field: header, message: expect.stringMatching(/at most 30.*31/) }]);

    const longest = await client.sendEvent(registered('c-2'), { headers: { [header]: 'x'.repeat(30) } });
    expect(longest.status).toBe(200);
  });

  it('names every bad header in one answer', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), {
      headers: { 'Merchant-Serial-Number': undefined, 'Vipps-System-Name': 'n'.repeat(40), 'Vipps-System-Plugin-Version': undefined },
    });
    expect(reply.status).toBe(400);
    expect(reply.body.extraDetails.map((issue: { field: string }) => issue.field)).toEqual([
      'Merchant-Serial-Number',
      'Vipps-System-Name',
      'Vipps-System-Plugin-Version',
    ]);
  });

  // As the real gateway (Azure API Management) does: subscription key and token first, 401 in its own shape.
  it.each([
    ['no subscription key', { 'Ocp-Apim-Subscription-Key': undefined }, /missing subscription key/],
    ['an empty subscription key', { 'Ocp-Apim-Subscription-Key': '' }, /missing subscription key/],
    ['no token', { Authorization: undefined }, /Authorization/],
    ['an unknown token', { Authorization: 'Bearer unknown' }, /unknown access token/],
  ])('answers 401 to a request with %s before any other header is checked', async (_case, auth, message) => {
    const { client, sandbox } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), {
      headers: { ...auth, 'Vipps-System-Version': undefined, 'Merchant-Serial-Number': undefined, 'Content-Type': 'text/plain' },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(reply.body).toEqual({ statusCode: 401, message: expect.stringMatching(message) });
    expect(sandbox.stats().byStatus).toEqual({ 401: 1 });
    expect(sandbox.members()).toEqual([]);
  });

  it('checks the other headers once the key and token are good', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { 'Vipps-System-Version': undefined } });
    expect(reply.status).toBe(400);
    expect(reply.body.extraDetails[0].field).toBe('Vipps-System-Version');
  });
});
