// The sandbox applies per-item events (`coupon.updated/deleted`, `stampCard.updated/deleted`) to a member's
// state exactly as the full replacements (`coupons.synced`, `stampCards.synced`) would: for random old and
// new sets, two members of one sandbox, over HTTP, one taken from the old set to the new one by the
// replacement, the other item by item, end with the same coupons and stamp cards: the new sets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Coupon, LoyaltyEvent, StampCard } from '../../src/api/events.ts';
import { compareKeys } from '../../src/base/canonical.ts';
import { identity, loyaltyEvent, registered } from './fixtures/loyalty-events.ts';
import { openSandbox } from './fixtures/sandbox-client.ts';

const ids = (prefix: string) => fc.uniqueArray(fc.constantFrom('1', '2', '3', '4').map((id) => `${prefix}${id}`), { maxLength: 4 });
const couponsArb = ids('K').chain((couponIds) =>
  fc.tuple(...couponIds.map((couponId) => fc.constantFrom('Kaffe', 'Bolle').map((title): Coupon => ({ couponId, title })))),
);
const cardsArb = ids('S').chain((cardIds) =>
  fc.tuple(...cardIds.map((stampCardId) => fc.integer({ min: 0, max: 3 }).map((stampsCollected): StampCard => ({ stampCardId, title: 'Kort', stampsRequired: 3, stampsCollected })))),
);

/** Item events taking `before` to `after`: a deletion per removed id, an update per new or changed item. */
function itemEvents<T>(contactId: string, before: T[], after: T[], id: (item: T) => string, kind: 'coupon' | 'stampCard'): LoyaltyEvent[] {
  const who = identity(contactId);
  const old = new Map(before.map((item) => [id(item), JSON.stringify(item)]));
  const removed = before.filter((item) => !after.some((next) => id(next) === id(item)));
  const changed = after.filter((item) => old.get(id(item)) !== JSON.stringify(item));
  return [
    ...removed.map((item) => (kind === 'coupon' ? loyaltyEvent('benefits.coupon.deleted', { ...who, couponId: id(item) }) : loyaltyEvent('benefits.stampCard.deleted', { ...who, stampCardId: id(item) }))),
    ...changed.map((item) =>
      kind === 'coupon' ? loyaltyEvent('benefits.coupon.updated', { ...who, coupon: item as Coupon }) : loyaltyEvent('benefits.stampCard.updated', { ...who, stampCard: item as StampCard }),
    ),
  ];
}

const byId = <T>(items: T[], id: (item: T) => string) => [...items].sort((a, b) => compareKeys(id(a), id(b)));
const couponId = (item: Coupon) => item.couponId;
const cardId = (item: StampCard) => item.stampCardId;

describe('per-item events in the sandbox', () => {
  it('leave a member exactly as the full replacement does', async () => {
    const { client, sandbox } = await openSandbox();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(couponsArb, couponsArb, cardsArb, cardsArb, async (couponsBefore, couponsAfter, cardsBefore, cardsAfter) => {
        round++;
        const [replaced, itemised] = [`c-sync-${round}`, `c-items-${round}`];
        for (const contactId of [replaced, itemised]) {
          await client.sendAll([
            registered(contactId),
            loyaltyEvent('benefits.coupons.synced', { ...identity(contactId), coupons: couponsBefore }),
            loyaltyEvent('benefits.stampCards.synced', { ...identity(contactId), stampCards: cardsBefore }),
          ]);
        }
        await client.sendAll([
          loyaltyEvent('benefits.coupons.synced', { ...identity(replaced), coupons: couponsAfter }),
          loyaltyEvent('benefits.stampCards.synced', { ...identity(replaced), stampCards: cardsAfter }),
        ]);
        const statuses = await client.sendAll([
          ...itemEvents(itemised, couponsBefore, couponsAfter, couponId, 'coupon'),
          ...itemEvents(itemised, cardsBefore, cardsAfter, cardId, 'stampCard'),
        ]);
        expect(statuses.every((status) => status === 200)).toBe(true);

        const expected = { coupons: byId(couponsAfter, couponId), stampCards: byId(cardsAfter, cardId) };
        for (const contactId of [replaced, itemised]) {
          const state = sandbox.member(contactId)!;
          expect({ coupons: state.coupons, stampCards: state.stampCards }).toEqual(expected);
        }
      }),
      { numRuns: 40 },
    );
    // Every item event had something to act on: none was skipped as an anomaly.
    expect(sandbox.stats().anomalies).toEqual([]);
  });

  it('skips (and reports) a deletion of an item the member does not have, as the replacement would leave it', async () => {
    const { client, sandbox } = await openSandbox();
    await client.sendAll([registered('c-1'), loyaltyEvent('benefits.coupon.deleted', { ...identity('c-1'), couponId: 'K9' })]);
    expect(sandbox.member('c-1')?.coupons).toEqual([]);
    expect(sandbox.stats().anomalies).toEqual([expect.objectContaining({ contactId: 'c-1', action: 'benefits.coupon.deleted', reason: 'coupon-not-found' })]);
  });
});
