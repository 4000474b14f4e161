import { describe, expect, it } from 'vitest';
import { registered } from './fixtures/loyalty-events.ts';
import { manualClock, openSandbox } from './fixtures/sandbox-client.ts';

describe('rate limit fault', () => {
  it('answers 429 with Retry-After in the gateway shape beyond requestsPerSecond, and refills with time', async () => {
    const clock = manualClock();
    const { client, sandbox } = await openSandbox({ now: clock.now, faults: { rateLimit: { requestsPerSecond: 3, retryAfterSeconds: 7 } } });

    const statuses = await client.sendAll([1, 2, 3, 4, 5].map((n) => registered(`c-${n}`)));
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    const limited = await client.sendEvent(registered('c-6'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.contentType).not.toContain('problem');
    expect(limited.body).toEqual({ statusCode: 429, message: expect.stringContaining('7 seconds') });
    expect(sandbox.member('c-4')).toBeUndefined();

    clock.advance(334); // one request's worth at 3 rps
    expect((await client.sendEvent(registered('c-7'))).status).toBe(200);
    expect((await client.sendEvent(registered('c-8'))).status).toBe(429);

    expect(sandbox.stats()).toMatchObject({ rateLimited: 4, accepted: 4, byStatus: { '200': 4, '429': 4 } });
  });

  it('counts each merchant serial number in its own bucket', async () => {
    const clock = manualClock();
    const { client, sandbox } = await openSandbox({ now: clock.now, faults: { rateLimit: { requestsPerSecond: 2 } } });
    const as = (merchant: string) => (contactId: string) => client.sendEvent(registered(contactId), { headers: { 'Merchant-Serial-Number': merchant } });
    const [first, second] = [as('111111'), as('222222')];

    expect([(await first('a-1')).status, (await first('a-2')).status, (await first('a-3')).status]).toEqual([200, 200, 429]);
    // The first merchant's quota is used up; the second still has all of its own.
    expect([(await second('b-1')).status, (await second('b-2')).status, (await second('b-3')).status]).toEqual([200, 200, 429]);
    clock.advance(500); // one request's worth at 2 rps, for each merchant
    expect([(await first('a-4')).status, (await second('b-4')).status]).toEqual([200, 200]);
    expect(sandbox.stats()).toMatchObject({ rateLimited: 2, accepted: 6 });
  });

  it('defaults Retry-After to 1 second', async () => {
    const clock = manualClock();
    const { client } = await openSandbox({ now: clock.now, faults: { rateLimit: { requestsPerSecond: 1 } } });
    await client.sendEvent(registered('c-1'));
    const limited = await client.sendEvent(registered('c-2'));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
  });

  it('does not limit the token endpoint', async () => {
    const clock = manualClock();
    const { client } = await openSandbox({ now: clock.now, faults: { rateLimit: { requestsPerSecond: 1 } } });
    const statuses = await Promise.all([1, 2, 3].map(async () => (await client.fetchToken()).status));
    expect(statuses).toEqual([200, 200, 200]);
  });

  it('can be switched on and off at runtime through POST /_sandbox/faults', async () => {
    const clock = manualClock();
    const { client } = await openSandbox({ now: clock.now });
    await client.post('/_sandbox/faults', { rateLimit: { requestsPerSecond: 1 } });
    expect(await client.sendAll([registered('c-1'), registered('c-2')])).toEqual([200, 429]);
    await client.post('/_sandbox/faults', { rateLimit: null });
    expect(await client.sendAll([registered('c-3'), registered('c-4')])).toEqual([200, 200]);
    // Switched on again, every merchant starts with a full bucket.
    await client.post('/_sandbox/faults', { rateLimit: { requestsPerSecond: 2 } });
    expect(await client.sendAll([registered('c-5'), registered('c-6'), registered('c-7')])).toEqual([200, 200, 429]);
  });
});
