import { describe, expect, it } from 'vitest';
import type { LoyaltyEvent } from '../../src/api/events.ts';
import { bonusCheck, coupon, identity, loyaltyEvent, registered, stampCard } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

const ID = identity('c-1');

describe('events with nothing to act on are accepted, not applied, and reported as anomalies', () => {
  it.each<[string, () => LoyaltyEvent]>([
    ['benefits.member.updated', () => loyaltyEvent('benefits.member.updated', ID)],
    ['benefits.member.deleted', () => loyaltyEvent('benefits.member.deleted', ID)],
    ['benefits.coupon.updated', () => loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') })],
    ['benefits.stampCards.synced', () => loyaltyEvent('benefits.stampCards.synced', { ...ID, stampCards: [] })],
    ['benefits.bonusCheck.created', () => loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b1') })],
  ])('reports %s for a member that was never registered', async (action, build) => {
    const { client, sandbox } = await openSandbox();
    const event = build();
    const reply = await client.sendEvent(event);

    expect(reply.status).toBe(200);
    expect(sandbox.member('c-1')).toBeUndefined();
    expect(sandbox.stats().anomalies).toEqual([
      { eventId: event.eventId, contactId: 'c-1', action, reason: 'member-not-registered', detail: expect.stringContaining('c-1') },
    ]);
    expect(sandbox.events().map((recorded) => recorded.eventId)).toEqual([event.eventId]);
  });

  it('reports and ignores any event after the member was deleted', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.member.deleted', ID, { timestamp: '2026-03-01T09:00:00Z' }));
    const late = [
      loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }),
      loyaltyEvent('benefits.member.updated', { ...ID, tier: 'gold' }),
      loyaltyEvent('benefits.member.deleted', ID),
    ];
    for (const event of late) expect((await client.sendEvent(event)).status).toBe(200);

    const state = sandbox.member('c-1');
    expect(state).toMatchObject({ deleted: true, coupons: [], lastEventAt: '2026-03-01T09:00:00Z' });
    expect(state?.member.tier).toBeUndefined();
    expect(sandbox.stats().anomalies.map((anomaly) => [anomaly.eventId, anomaly.reason])).toEqual(late.map((event) => [event.eventId, 'member-deleted']));
  });

  it('revives a deleted member on a new registration, without its old benefits and without an anomaly', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }));
    await client.sendEvent(loyaltyEvent('benefits.member.deleted', ID));
    await client.sendEvent(registered('c-1', { tier: 'new' }));

    expect(sandbox.member('c-1')).toMatchObject({ deleted: false, coupons: [], member: { tier: 'new' } });
    expect(sandbox.stats().anomalies).toEqual([]);
  });

  it('applies a second registration of an active member as a replacement but reports it', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1', { tier: 'silver' }));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }));
    const again = registered('c-1', { tier: 'gold' });
    await client.sendEvent(again);

    expect(sandbox.member('c-1')).toMatchObject({ member: { tier: 'gold' }, coupons: [coupon('k1')] });
    expect(sandbox.stats().anomalies).toEqual([expect.objectContaining({ eventId: again.eventId, reason: 'member-already-registered' })]);
  });

  it.each<[string, string, () => LoyaltyEvent]>([
    ['coupon', 'coupon-not-found', () => loyaltyEvent('benefits.coupon.deleted', { ...ID, couponId: 'nope' })],
    ['stamp card', 'stamp-card-not-found', () => loyaltyEvent('benefits.stampCard.deleted', { ...ID, stampCardId: 'nope' })],
    ['bonus check', 'bonus-check-not-found', () => loyaltyEvent('benefits.bonusCheck.deleted', { ...ID, bonusCheckId: 'nope' })],
  ])('reports deleting an unknown %s and leaves the existing ones alone', async (_noun, reason, build) => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }));
    await client.sendEvent(loyaltyEvent('benefits.stampCard.updated', { ...ID, stampCard: stampCard('s1') }));
    await client.sendEvent(loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b1') }));
    const before = sandbox.member('c-1');
    const event = build();

    expect((await client.sendEvent(event)).status).toBe(200);

    expect(sandbox.member('c-1')).toEqual(before);
    expect(sandbox.stats().anomalies).toEqual([expect.objectContaining({ eventId: event.eventId, reason, contactId: 'c-1' })]);
  });

  it('reports benefits.bonusCheck.created for an existing id and keeps the first bonus check', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b1') }));
    const second = loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b1', { amount: { currency: 'NOK', value: 1 } }) });
    await client.sendEvent(second);

    expect(sandbox.member('c-1')?.bonusChecks).toEqual([bonusCheck('b1')]);
    expect(sandbox.stats().anomalies).toEqual([expect.objectContaining({ eventId: second.eventId, reason: 'bonus-check-exists' })]);
  });

  it('does not report anomalies for a clean lifecycle', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }));
    await client.sendEvent(loyaltyEvent('benefits.coupon.deleted', { ...ID, couponId: 'k1' }));
    await client.sendEvent(loyaltyEvent('benefits.member.deleted', ID));
    expect(sandbox.stats().anomalies).toEqual([]);
  });
});
