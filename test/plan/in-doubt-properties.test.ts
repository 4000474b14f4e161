// The "as if applied" rule for events in doubt (src/plan/in-doubt.ts), on random nights (fast-check): a
// member's events are sent, some answers are lost (the API applied the event, or did not), some are
// refused, night after night, under changing exports. Whatever the API really did, once a night goes
// through, the API holds exactly what the export says, our snapshot equals it, and nothing was applied
// twice. The API is the sandbox's own model of it (MemberRegistry) with deduplication by event id: an
// independent fold, not the planner's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoyaltyEvent } from '../../src/api/events.ts';
import { compareKeys } from '../../src/base/canonical.ts';
import { overrides, planMemberInDoubt } from '../../src/plan/in-doubt.ts';
import { applyEvents, type MemberState } from '../../src/state/member-state.ts';
import type { PlannedEvent } from '../../src/base/run-shapes.ts';
import { MemberRegistry } from '../../src/sandbox/member-registry.ts';
import { ITEM_EVENT_MODES, type ItemEventMode } from '../../src/base/item-events.ts';
import { expectedState, exported, observable, type MemberSpec } from '../fixtures/members.ts';

const ids = (prefix: string) => fc.uniqueArray(fc.constantFrom('1', '2', '3').map((id) => `${prefix}${id}`), { maxLength: 3 });
const specArb: fc.Arbitrary<MemberSpec> = fc.record({
  member: fc.record({ tier: fc.constantFrom('bronze', 'gold'), phoneNumber: fc.constantFrom('+4741234567', '+4790000000') }).map(({ tier, phoneNumber }) => ({ contactId: 'M-1', phoneNumber, tier })),
  coupons: ids('C').chain((couponIds) => fc.tuple(...couponIds.map((couponId) => fc.constantFrom('Kaffe', 'Bolle').map((title) => ({ couponId, title }))))),
  stampCards: ids('S').map((cardIds) => cardIds.map((stampCardId) => ({ stampCardId, title: 'Kort', stampsRequired: 3, stampsCollected: 1 }))),
  bonusChecks: ids('B').chain((checkIds) => fc.tuple(...checkIds.map((bonusCheckId) => fc.constantFrom(5000, 10000).map((value) => ({ bonusCheckId, amount: { currency: 'NOK', value } }))))),
});

/** One night: tonight's export (undefined: the member left) and how the API answers its plan. */
const nightArb = fc.record({
  spec: fc.option(specArb, { nil: undefined }),
  /** The events before this index are accepted; this one meets `failure`. */
  stopAt: fc.nat({ max: 6 }),
  failure: fc.constantFrom('lost-after-applying', 'lost-before-applying', 'refused'),
  // Few export times: the same export dropped again gives byte-identical bodies (A→B, B→A, A→B again).
  asOf: fc.constantFrom('2026-11-10T23:00:00Z', '2026-11-11T23:00:00Z'),
  // `--item-events` may change from night to night: events in doubt of one mode meet plans of another.
  itemEvents: fc.constantFrom(...ITEM_EVENT_MODES),
});
type Night = { spec: MemberSpec | undefined; stopAt: number; failure: 'lost-after-applying' | 'lost-before-applying' | 'refused' | 'none'; asOf: string; itemEvents?: ItemEventMode };

/** What the API did and what our side committed, over the nights. */
class World {
  readonly api = new MemberRegistry();
  readonly applied = new Set<string>();
  readonly anomalies: string[] = [];
  snapshot: MemberState | undefined;
  doubts: PlannedEvent[] = [];

  night(night: Night) {
    // Neither known nor exported nor in doubt: nobody to plan (the merge never yields such a member).
    if (!night.spec && !this.snapshot && this.doubts.length === 0) return;
    const plan = planMemberInDoubt(this.snapshot, this.doubts, night.spec && exported(night.spec), { resend: new Set(), timestamp: night.asOf, ...(night.itemEvents && { itemEvents: night.itemEvents }) });
    const accepted: LoyaltyEvent[] = [];
    let overridden = 0;
    for (const [position, planned] of plan.events.entries()) {
      const event = JSON.parse(planned.body) as LoyaltyEvent;
      const fate = position < night.stopAt || night.failure === 'none' ? 'accepted' : night.failure;
      // The API deduplicates by id: an event it applied before is answered "accepted" again, never refused.
      if (fate === 'accepted' || fate === 'lost-after-applying' || this.applied.has(planned.eventId)) this.apply(planned.eventId, event);
      if (fate === 'accepted' || (fate === 'refused' && this.applied.has(planned.eventId))) {
        accepted.push(event);
        overridden += plan.resolves[planned.eventId]?.length ?? 0;
        this.doubts = this.doubts.filter((doubt) => doubt.eventId !== planned.eventId && !(plan.resolves[planned.eventId] ?? []).includes(doubt.eventId));
        continue;
      }
      if (fate === 'refused') this.doubts = this.doubts.filter((doubt) => doubt.eventId !== planned.eventId);
      else if (!this.doubts.some((doubt) => doubt.eventId === planned.eventId)) this.doubts.push(planned);
      break;
    }
    // As the committer does (src/state/commit.ts): the doubts an accepted event overrode count in the revision.
    this.snapshot = applyEvents(this.snapshot, accepted, overridden);
  }

  apply(eventId: string, event: LoyaltyEvent) {
    if (this.applied.has(eventId)) return;
    this.applied.add(eventId);
    const outcome = this.api.apply(event);
    if (outcome.anomaly) this.anomalies.push(outcome.anomaly.reason);
  }
}

const sorted = <T>(items: T[], id: (item: T) => string) => [...items].sort((a, b) => compareKeys(id(a), id(b)));

describe('planning after events in doubt', () => {
  it('converges on the export whatever the API did with them, applying nothing twice, in every --item-events mode', () => {
    fc.assert(
      fc.property(fc.array(nightArb, { minLength: 1, maxLength: 6 }), fc.option(specArb, { nil: undefined }), fc.constantFrom(...ITEM_EVENT_MODES), (nights, last, itemEvents) => {
        const world = new World();
        for (const night of nights) world.night(night);
        world.night({ spec: last, stopAt: 0, failure: 'none', asOf: '2026-11-10T23:00:00Z', itemEvents });

        expect(world.doubts).toEqual([]);
        // Applied twice would show as a second registration or a second creation of the same check.
        expect(world.anomalies.filter((reason) => reason === 'member-already-registered' || reason === 'bonus-check-exists')).toEqual([]);
        const api = world.api.get('M-1');
        if (!last) {
          expect(api === undefined || api.deleted).toBe(true);
          expect(world.snapshot === undefined || world.snapshot.deleted).toBe(true);
          return;
        }
        expect(api && { deleted: api.deleted, member: api.member, coupons: api.coupons, stampCards: api.stampCards, bonusChecks: sorted(api.bonusChecks, (check) => check.bonusCheckId) }).toEqual({
          deleted: false,
          member: last.member,
          coupons: sorted(last.coupons!, (coupon) => coupon.couponId),
          stampCards: sorted(last.stampCards!, (card) => card.stampCardId),
          bonusChecks: sorted(last.bonusChecks!, (check) => check.bonusCheckId),
        });
        expect(observable(world.snapshot)).toEqual(expectedState(undefined, exported(last)));
      }),
      { numRuns: 400 },
    );
  });

  it('gives a deletion planned after a deletion that overrode events in doubt an id of its own (found by the property above)', () => {
    const member = { contactId: 'M-1', phoneNumber: '+4790000000', tier: 'gold' };
    const asOf = '2026-11-10T23:00:00Z';
    const world = new World();
    // A check in doubt, then a member update in doubt; the member leaves (the deletion overrides both),
    // comes back (a registration the API applied, its answer lost), and leaves again.
    world.night({ spec: { member: { ...member, phoneNumber: '+4741234567', tier: 'bronze' }, coupons: [], stampCards: [], bonusChecks: [{ bonusCheckId: 'B1', amount: { currency: 'NOK', value: 5000 } }] }, stopAt: 1, failure: 'lost-after-applying', asOf });
    world.night({ spec: { member, coupons: [], stampCards: [], bonusChecks: [] }, stopAt: 0, failure: 'lost-after-applying', asOf });
    world.night({ spec: undefined, stopAt: 1, failure: 'lost-after-applying', asOf });
    world.night({ spec: { member, coupons: [], stampCards: [], bonusChecks: [] }, stopAt: 0, failure: 'lost-after-applying', asOf });
    world.night({ spec: undefined, stopAt: 0, failure: 'none', asOf });
    expect(world.doubts).toEqual([]);
    expect(world.api.get('M-1')?.deleted).toBe(true);
    expect(world.snapshot?.deleted).toBe(true);
  });

  it('re-sends an event in doubt that is still wanted as the very same request, before anything new', () => {
    fc.assert(
      fc.property(specArb, specArb, (before, after) => {
        const world = new World();
        // Night 1 registers the member and more; every answer after the registration is lost.
        world.night({ spec: before, stopAt: 1, failure: 'lost-after-applying', asOf: '2026-11-10T23:00:00Z' });
        fc.pre(world.doubts.length === 1);
        const [doubt] = world.doubts;
        const plan = planMemberInDoubt(world.snapshot, world.doubts, exported(after), { resend: new Set(), timestamp: '2026-11-20T23:00:00Z' });
        expectResentOrOverridden(plan, doubt!);
      }),
      { numRuns: 300 },
    );
  });

  it('re-sends a coupon or stamp-card event in doubt that is still wanted, or overrides it, whichever --item-events mode planned it and plans next', () => {
    fc.assert(
      fc.property(specArb, specArb, fc.constantFrom(...ITEM_EVENT_MODES), fc.constantFrom(...ITEM_EVENT_MODES), fc.nat({ max: 3 }), (before, after, firstMode, nextMode, stopAt) => {
        const world = new World();
        // The member is registered with one set, then changed to another; the answer to event `stopAt` of the change is lost.
        world.night({ spec: before, stopAt: 9, failure: 'none', asOf: '2026-11-09T23:00:00Z' });
        world.night({ spec: after, stopAt, failure: 'lost-after-applying', asOf: '2026-11-10T23:00:00Z', itemEvents: firstMode });
        fc.pre(world.doubts.length === 1);
        const [doubt] = world.doubts;
        const plan = planMemberInDoubt(world.snapshot, world.doubts, exported(before), { resend: new Set(), timestamp: '2026-11-20T23:00:00Z', itemEvents: nextMode });
        expectResentOrOverridden(plan, doubt!);
      }),
      { numRuns: 300 },
    );
  });
});

/** The event in doubt is either re-sent first, byte for byte, or overridden by a planned event that is sent: never both, never neither. */
function expectResentOrOverridden(plan: ReturnType<typeof planMemberInDoubt>, doubt: PlannedEvent) {
  const resent = plan.events.find((event) => event.eventId === doubt.eventId);
  const overriddenBy = Object.entries(plan.resolves).find(([, doubts]) => doubts.includes(doubt.eventId));
  expect(Boolean(resent) !== Boolean(overriddenBy)).toBe(true);
  if (resent) expect(plan.events[0]).toEqual(doubt);
  if (overriddenBy) expect(overrides(JSON.parse(plan.events.find((event) => event.eventId === overriddenBy[0])!.body), JSON.parse(doubt.body))).toBe(true);
  // No other event of the plan carries the same change under another id.
  const payloadOf = (event: PlannedEvent) => JSON.stringify([event.action, (JSON.parse(event.body) as LoyaltyEvent).payload]);
  for (const event of plan.events) if (event.eventId !== doubt.eventId) expect(payloadOf(event)).not.toBe(payloadOf(doubt));
}

describe('overrides', () => {
  const member = { contactId: 'M-1', phoneNumber: '+4741234567' };
  const event = (action: LoyaltyEvent['action'], payload: object) => ({ eventId: 'e', timestamp: '2026-11-24T23:00:00Z', action, payload: { ...member, ...payload } }) as LoyaltyEvent;
  const created = event('benefits.bonusCheck.created', { bonusCheck: { bonusCheckId: 'B1', amount: { currency: 'NOK', value: 5000 } } });
  const deletedCheck = event('benefits.bonusCheck.deleted', { bonusCheckId: 'B1' });
  const registered = event('benefits.member.registered', {});
  const deletedMember = event('benefits.member.deleted', {});

  it('lets a deletion override what it removes, and never a creation or registration override a deletion', () => {
    expect(overrides(deletedCheck, created)).toBe(true);
    expect(overrides(deletedMember, created)).toBe(true);
    expect(overrides(deletedMember, registered)).toBe(true);
    // A second `created` keeps the first check, a second registration keeps the benefits: re-send the deletion first.
    expect(overrides(created, deletedCheck)).toBe(false);
    expect(overrides(registered, deletedMember)).toBe(false);
    expect(overrides(event('benefits.member.updated', {}), registered)).toBe(false);
    expect(overrides(event('benefits.coupons.synced', { coupons: [] }), event('benefits.coupon.updated', { coupon: { couponId: 'C1', title: 'x' } }))).toBe(true);
    expect(overrides(event('benefits.coupon.updated', { coupon: { couponId: 'C1', title: 'x' } }), event('benefits.coupons.synced', { coupons: [] }))).toBe(false);
  });
});
