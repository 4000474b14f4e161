import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { openSandbox, SYSTEM_HEADERS } from './fixtures/sandbox-client.ts';

const REQUIRED = ['Ocp-Apim-Subscription-Key', 'Merchant-Serial-Number', ...Object.keys(SYSTEM_HEADERS)];

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

  it('checks the headers before the token, so a bad header is reported even without a valid token', async () => {
    const { client } = await openSandbox();
    const reply = await client.sendEvent(registered('c-1'), { headers: { Authorization: 'Bearer unknown', 'Vipps-System-Version': undefined } });
    expect(reply.status).toBe(400);
    expect(reply.body.extraDetails[0].field).toBe('Vipps-System-Version');
  });
});
