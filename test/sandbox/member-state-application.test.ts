import { describe, expect, it } from 'vitest';
import { bonusCheck, coupon, identity, loyaltyEvent, member, registered, stampCard } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

const ID = identity('c-1');

describe('accepted events are applied to member state', () => {
  it('registers a member with exactly the documented state shape', async () => {
    const { client, sandbox } = await openSandbox();
    const event = loyaltyEvent('benefits.member.registered', member('c-1', { tier: 'gold' }), { timestamp: '2026-03-01T08:00:00Z' });
    await client.sendEvent(event);

    expect(sandbox.member('c-1')).toEqual({
      contactId: 'c-1',
      deleted: false,
      member: member('c-1', { tier: 'gold' }),
      coupons: [],
      stampCards: [],
      bonusChecks: [],
      lastEventAt: '2026-03-01T08:00:00Z',
    });
  });

  it('replaces all member fields on benefits.member.updated (omitted fields disappear)', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1', { tier: 'gold' }));
    const update = loyaltyEvent('benefits.member.updated', { ...ID, bonusPoints: { balance: 7 } }, { timestamp: '2026-03-02T00:00:00Z' });
    await client.sendEvent(update);

    const state = sandbox.member('c-1');
    expect(state?.member).toEqual({ ...ID, bonusPoints: { balance: 7 } });
    expect(state?.lastEventAt).toBe('2026-03-02T00:00:00Z');
  });

  it('marks a member deleted on benefits.member.deleted and lists it only with includeDeleted', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(registered('c-2'));
    await client.sendEvent(loyaltyEvent('benefits.member.deleted', ID));

    expect(sandbox.member('c-1')?.deleted).toBe(true);
    expect(sandbox.members().map((state) => state.contactId)).toEqual(['c-2']);
    expect(sandbox.members({ includeDeleted: true }).map((state) => state.contactId)).toEqual(['c-1', 'c-2']);
  });

  it('creates, changes and removes single coupons, sorted by couponId', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k2') }));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k1') }));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('k2', { title: 'Changed' }) }));
    expect(sandbox.member('c-1')?.coupons).toEqual([coupon('k1'), coupon('k2', { title: 'Changed' })]);

    await client.sendEvent(loyaltyEvent('benefits.coupon.deleted', { ...ID, couponId: 'k1' }));
    expect(sandbox.member('c-1')?.coupons).toEqual([coupon('k2', { title: 'Changed' })]);
  });

  it('replaces all coupons on benefits.coupons.synced, and an empty list clears them', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...ID, coupon: coupon('old') }));
    await client.sendEvent(loyaltyEvent('benefits.coupons.synced', { ...ID, coupons: [coupon('z'), coupon('a')] }));
    expect(sandbox.member('c-1')?.coupons).toEqual([coupon('a'), coupon('z')]);

    await client.sendEvent(loyaltyEvent('benefits.coupons.synced', { ...ID, coupons: [] }));
    expect(sandbox.member('c-1')?.coupons).toEqual([]);
  });

  it('creates, progresses and removes stamp cards, sorted by stampCardId', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.stampCard.updated', { ...ID, stampCard: stampCard('s2') }));
    await client.sendEvent(loyaltyEvent('benefits.stampCard.updated', { ...ID, stampCard: stampCard('s1') }));
    await client.sendEvent(loyaltyEvent('benefits.stampCard.updated', { ...ID, stampCard: stampCard('s2', { stampsCollected: 9 }) }));
    expect(sandbox.member('c-1')?.stampCards).toEqual([stampCard('s1'), stampCard('s2', { stampsCollected: 9 })]);

    await client.sendEvent(loyaltyEvent('benefits.stampCard.deleted', { ...ID, stampCardId: 's2' }));
    expect(sandbox.member('c-1')?.stampCards).toEqual([stampCard('s1')]);
  });

  it('replaces all stamp cards on benefits.stampCards.synced, and an empty list clears them', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.stampCard.updated', { ...ID, stampCard: stampCard('old') }));
    await client.sendEvent(loyaltyEvent('benefits.stampCards.synced', { ...ID, stampCards: [stampCard('s9'), stampCard('s3')] }));
    expect(sandbox.member('c-1')?.stampCards).toEqual([stampCard('s3'), stampCard('s9')]);

    await client.sendEvent(loyaltyEvent('benefits.stampCards.synced', { ...ID, stampCards: [] }));
    expect(sandbox.member('c-1')?.stampCards).toEqual([]);
  });

  it('creates and removes bonus checks, sorted by bonusCheckId', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b2', { code: 'X2' }) }));
    await client.sendEvent(loyaltyEvent('benefits.bonusCheck.created', { ...ID, bonusCheck: bonusCheck('b1') }));
    expect(sandbox.member('c-1')?.bonusChecks).toEqual([bonusCheck('b1'), bonusCheck('b2', { code: 'X2' })]);

    await client.sendEvent(loyaltyEvent('benefits.bonusCheck.deleted', { ...ID, bonusCheckId: 'b1' }));
    expect(sandbox.member('c-1')?.bonusChecks).toEqual([bonusCheck('b2', { code: 'X2' })]);
  });

  it('keeps each member separate', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1'));
    await client.sendEvent(registered('c-2'));
    await client.sendEvent(loyaltyEvent('benefits.coupon.updated', { ...identity('c-2'), coupon: coupon('k1') }));
    expect(sandbox.member('c-1')?.coupons).toEqual([]);
    expect(sandbox.member('c-2')?.coupons).toEqual([coupon('k1')]);
  });

  it('does not let callers change the state through what inspection returned', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendEvent(registered('c-1', { tier: 'gold' }));
    const state = sandbox.member('c-1');
    if (!state) throw new Error('member missing');
    state.member.tier = 'hacked';
    state.coupons.push(coupon('k1'));
    expect(sandbox.member('c-1')?.member.tier).toBe('gold');
    expect(sandbox.member('c-1')?.coupons).toEqual([]);
  });
});
