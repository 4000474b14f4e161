// Invariants of the planner, on random members (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BonusCheck, Coupon, LoyaltyEvent, Member, StampCard } from '../../src/api/events.ts';
import { validateEvent } from '../../src/api/events.ts';
import { applyEvents, type MemberState } from '../../src/state/member-state.ts';
import { planMember, type PlanOptions } from '../../src/plan/plan-member.ts';
import { EXPORT_KINDS } from '../../src/base/kinds.ts';
import { ITEM_EVENT_MODES } from '../../src/base/item-events.ts';
import { expectedState, exported, observable, type MemberSpec } from '../fixtures/members.ts';

const OPTIONS: PlanOptions = { resend: new Set(), timestamp: '2026-11-24T23:00:00Z' };
/** `--item-events`: every property holds in each mode. */
const modeArb = fc.constantFrom(...ITEM_EVENT_MODES);
const ids = (prefix: string) => fc.uniqueArray(fc.constantFrom(...['1', '2', '3', 'ä', '\u{1F600}', '\uFF10'].map((id) => `${prefix}${id}`)), { maxLength: 4 });

const memberArb = (contactId: string) =>
  fc.record({
    phoneNumber: fc.constantFrom('+4741234567', '+4790000000', '+46701234567'),
    tier: fc.option(fc.constantFrom('bronze', 'gold'), { nil: undefined }),
    balance: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  }).map(({ phoneNumber, tier, balance }): Member => {
    const member: Member = { contactId, phoneNumber };
    if (balance !== undefined) member.bonusPoints = { balance };
    if (tier !== undefined) member.tier = tier;
    return member;
  });

const couponsArb = ids('C').chain((couponIds) =>
  fc.tuple(...couponIds.map((couponId) => fc.constantFrom('Kaffe', 'Bolle').map((title): Coupon => ({ couponId, title })))),
);
const stampCardsArb = ids('S').chain((cardIds) =>
  fc.tuple(...cardIds.map((stampCardId) => fc.integer({ min: 0, max: 3 }).map((stampsCollected): StampCard => ({ stampCardId, title: 'Kaffekort', stampsRequired: 3, stampsCollected })))),
);
const bonusChecksArb = ids('B').chain((checkIds) =>
  fc.tuple(...checkIds.map((bonusCheckId) => fc.constantFrom(5000, 10000).map((value): BonusCheck => ({ bonusCheckId, amount: { currency: 'NOK', value } })))),
);

/** A member as an export describes it; each kind may be absent from the export (undefined). */
const specArb = (contactId = 'M-1') =>
  fc.record({
    member: memberArb(contactId),
    coupons: fc.option(couponsArb, { nil: undefined }),
    stampCards: fc.option(stampCardsArb, { nil: undefined }),
    bonusChecks: fc.option(bonusChecksArb, { nil: undefined }),
  }) as fc.Arbitrary<MemberSpec>;

function deliver(state: MemberState | undefined, spec: MemberSpec | undefined, options = OPTIONS) {
  if (!state && !spec) return { plan: { events: [] }, events: [], state };
  const plan = planMember(state, spec && exported(spec), options);
  const events = plan.events.map((event) => JSON.parse(event.body) as LoyaltyEvent);
  return { plan, events, state: applyEvents(state, events) };
}

describe('planner properties', () => {
  it('the planned events take the old state to the new state, in every --item-events mode', () => {
    fc.assert(
      fc.property(fc.option(specArb(), { nil: undefined }), fc.option(specArb(), { nil: undefined }), fc.integer({ min: 0, max: 15 }), modeArb, (before, after, full, itemEvents) => {
        const old = deliver(undefined, before).state;
        const { state } = deliver(old, after, { ...OPTIONS, itemEvents, resend: new Set(EXPORT_KINDS.filter((_, index) => (full >> index) & 1)) });
        if (after) expect(observable(state)).toEqual(expectedState(old, exported(after)));
        else if (old) expect(state?.deleted).toBe(true);
        else expect(state).toBeUndefined();
      }),
    );
  });

  it('plans nothing for a member whose export did not change, whatever the row order', () => {
    fc.assert(
      fc.property(specArb(), fc.integer(), modeArb, (spec, seed, itemEvents) => {
        const old = deliver(undefined, spec).state;
        const shuffle = <T>(items: T[] | undefined) => items && fc.sample(fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }), { seed, numRuns: 1 })[0];
        const reordered: MemberSpec = { ...spec, coupons: shuffle(spec.coupons), stampCards: shuffle(spec.stampCards), bonusChecks: shuffle(spec.bonusChecks) };
        expect(planMember(old, exported(reordered), { ...OPTIONS, itemEvents })).toEqual({ contactId: 'M-1', change: 'unchanged', events: [] });
      }),
    );
  });

  it('plans valid events only, with unique ids and their bodies\' UTF-8 sizes', () => {
    fc.assert(
      fc.property(fc.option(specArb(), { nil: undefined }), fc.option(specArb(), { nil: undefined }), modeArb, (before, after, itemEvents) => {
        const old = deliver(undefined, before).state;
        const { plan } = deliver(old, after, { ...OPTIONS, itemEvents });
        for (const event of plan.events) expect(validateEvent(JSON.parse(event.body))).toMatchObject({ ok: true });
        for (const event of plan.events) expect(event.bodyBytes).toBe(Buffer.byteLength(event.body));
        expect(new Set(plan.events.map((event) => event.eventId)).size).toBe(plan.events.length);
      }),
    );
  });

  it('gives the same transition from the same committed state the same id, and A→B→A→B fresh ids', () => {
    fc.assert(
      fc.property(specArb(), specArb(), modeArb, (a, b, itemEvents) => {
        fc.pre(JSON.stringify(exported(a)) !== JSON.stringify(exported(b)));
        const options = { ...OPTIONS, itemEvents };
        const stateA = deliver(undefined, a, options).state;
        const first = deliver(stateA, b, options);
        expect(planMember(stateA, exported(b), options).events.map((event) => event.eventId)).toEqual(first.plan.events.map((event) => event.eventId));
        const back = deliver(first.state, a, options);
        const again = deliver(back.state, b, options);
        const seen = new Set([...first.plan.events, ...back.plan.events].map((event) => event.eventId));
        for (const event of again.plan.events) expect(seen.has(event.eventId)).toBe(false);
      }),
    );
  });

  it('never gives two different request bodies the same id (the body is part of the id), and one request always the same id', () => {
    const timestamps = fc.constantFrom('2026-11-24T23:00:00Z', '2026-11-25T23:00:00Z');
    fc.assert(
      fc.property(fc.option(specArb(), { nil: undefined }), fc.array(fc.tuple(specArb(), timestamps, modeArb), { minLength: 2, maxLength: 4 }), (before, nights) => {
        const old = deliver(undefined, before).state;
        const bodyOf = new Map<string, string>();
        for (const [spec, timestamp, itemEvents] of nights) {
          for (const event of planMember(old, exported(spec), { ...OPTIONS, timestamp, itemEvents }).events) {
            const seen = bodyOf.get(event.eventId);
            if (seen !== undefined) expect(event.body).toBe(seen);
            bodyOf.set(event.eventId, event.body);
          }
        }
        // Ids differ exactly where bodies differ.
        expect(new Set(bodyOf.values()).size).toBe(bodyOf.size);
      }),
    );
  });
});
