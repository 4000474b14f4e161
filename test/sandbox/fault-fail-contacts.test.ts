import { describe, expect, it } from 'vitest';
import { coupon, identity, loyaltyEvent, registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

describe('permanent failure per contact (failContactIds)', () => {
  it('answers a 400 problem naming the contact for every event of a listed contact, and applies nothing', async () => {
    const { client, sandbox } = await openSandbox({ faults: { failContactIds: ['c-bad', 'c-worse'] } });
    const events = [registered('c-bad'), loyaltyEvent('benefits.coupon.updated', { ...identity('c-bad'), coupon: coupon('k1') })];
    for (const event of events) {
      const reply = await client.sendEvent(event);
      expect(reply.status).toBe(400);
      expect(reply.contentType).toMatch(/problem\+json/);
      expect(reply.body.detail).toContain('c-bad');
      expect(reply.body.extraDetails).toEqual([{ field: 'payload.contactId', message: expect.stringContaining('c-bad') }]);
    }
    expect(sandbox.member('c-bad')).toBeUndefined();
    expect(sandbox.stats()).toMatchObject({ failedContacts: 2, accepted: 0 });
  });

  it('accepts events of contacts that are not listed', async () => {
    const { client, sandbox } = await openSandbox({ faults: { failContactIds: ['c-bad'] } });
    expect((await client.sendEvent(registered('c-good'))).status).toBe(200);
    expect(sandbox.member('c-good')).toBeDefined();
  });

  it('keeps failing on retries (it is permanent) until the list changes', async () => {
    const { client, sandbox } = await openSandbox({ faults: { failContactIds: ['c-bad'] } });
    const event = registered('c-bad');
    expect(await client.sendAll([event, event, event])).toEqual([400, 400, 400]);
    sandbox.setFaults({ failContactIds: [] });
    expect((await client.sendEvent(event)).status).toBe(200);
  });
});
