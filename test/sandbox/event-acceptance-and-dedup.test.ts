import { describe, expect, it } from 'vitest';
import { coupon, identity, loyaltyEvent, registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

/** The same JSON value written with other key order and whitespace. */
function reorderedJson(value: unknown): string {
  const reverse = (inner: unknown): unknown => {
    if (Array.isArray(inner)) return inner.map(reverse);
    if (inner === null || typeof inner !== 'object') return inner;
    return Object.fromEntries(Object.entries(inner).reverse().map(([key, nested]) => [key, reverse(nested)]));
  };
  return JSON.stringify(reverse(value), null, 3);
}

describe('accepted events and deduplication by eventId', () => {
  it('answers 200 {"status":"accepted","eventId"} and records the event', async () => {
    const { client, sandbox } = await openSandbox();
    const event = registered('c-1');
    const reply = await client.sendEvent(event);
    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^application\/json/);
    expect(reply.body).toEqual({ status: 'accepted', eventId: event.eventId });
    expect(sandbox.events().map((recorded) => recorded.eventId)).toEqual([event.eventId]);
    expect(sandbox.stats()).toMatchObject({ requests: 1, accepted: 1, duplicates: 0, byStatus: { '200': 1 } });
    expect(sandbox.stats().byAction['benefits.member.registered']).toBe(1);
  });

  it('answers a re-send with the same body (other key order and whitespace) 200 again, counts it and applies it once', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    const grant = loyaltyEvent('benefits.coupon.updated', { ...identity('c-1'), coupon: coupon('k1') });
    await client.sendEvent(grant);
    // Between the two sends the coupon is removed; re-applying the duplicate would bring it back.
    await client.sendEvent(loyaltyEvent('benefits.coupon.deleted', { ...identity('c-1'), couponId: 'k1' }));

    const again = await client.sendEvent(undefined, { raw: reorderedJson(grant) });

    expect(again.status).toBe(200);
    expect(again.body).toEqual({ status: 'accepted', eventId: grant.eventId });
    expect(sandbox.member('c-1')?.coupons).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ accepted: 3, duplicates: 1, byStatus: { '200': 4 } });
    expect(sandbox.stats().byAction['benefits.coupon.updated']).toBe(1);
    expect(sandbox.events().filter((recorded) => recorded.eventId === grant.eventId)).toHaveLength(1);
  });

  it('answers 409 when an accepted eventId comes back with a different body, and applies nothing', async () => {
    const { client, sandbox } = await openSandbox();
    const first = registered('c-1', { tier: 'silver' });
    await client.sendEvent(first);

    const reply = await client.sendEvent({ ...first, payload: { ...first.payload, tier: 'gold' } });

    expect(reply.status).toBe(409);
    expect(reply.contentType).toMatch(/^application\/problem\+json/);
    expect(reply.body).toMatchObject({ status: 409, detail: expect.stringContaining(first.eventId) });
    expect(sandbox.member('c-1')?.member.tier).toBe('silver');
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 0, byStatus: { '200': 1, '409': 1 } });
  });

  it('treats a different timestamp under the same eventId as a different body', async () => {
    const { client } = await openSandbox();
    const first = registered('c-1');
    await client.sendEvent(first);
    const reply = await client.sendEvent({ ...first, timestamp: '2030-01-01T00:00:00Z' });
    expect(reply.status).toBe(409);
  });

  it('keeps deduplicating but records no events when recordEvents is false', async () => {
    const { client, sandbox } = await openSandbox({ recordEvents: false });
    const event = registered('c-1');
    await client.sendEvent(event);
    expect((await client.sendEvent(event)).status).toBe(200);
    expect((await client.sendEvent({ ...event, timestamp: '2030-01-01T00:00:00Z' })).status).toBe(409);

    expect(sandbox.events()).toEqual([]);
    expect((await client.get('/_sandbox/events')).body).toEqual({ recording: false, events: [] });
    expect(sandbox.member('c-1')?.deleted).toBe(false);
    expect(sandbox.stats()).toMatchObject({ accepted: 1, duplicates: 1 });
  });
});
