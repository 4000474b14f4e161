// `--item-events synced|items|auto` (design: "Planning rules"): how a member's coupon and stamp-card
// changes are sent, one example each; the properties over random members are in planner-properties.
import { describe, expect, it } from 'vitest';
import type { Coupon, LoyaltyEvent, StampCard } from '../../src/api/events.ts';
import type { ItemEventMode } from '../../src/base/item-events.ts';
import { planMember, type PlanOptions } from '../../src/plan/plan-member.ts';
import { applyEvents, type MemberState } from '../../src/state/member-state.ts';
import { exported, type MemberSpec } from '../fixtures/members.ts';

const OPTIONS: PlanOptions = { resend: new Set(), timestamp: '2026-11-24T23:00:00Z' };
const member = { contactId: 'M-1', phoneNumber: '+4741234567' };
const coupon = (couponId: string, title = 'Kaffe'): Coupon => ({ couponId, title, description: 'Gjelder kaffe, te og kakao i alle våre butikker.' });
const card = (stampCardId: string, stampsCollected: number): StampCard => ({ stampCardId, title: 'Kaffekort', stampsRequired: 10, stampsCollected });
const forty = Array.from({ length: 40 }, (_, n) => coupon(`C${String(n).padStart(2, '0')}`));

function delivered(spec: MemberSpec, state?: MemberState, itemEvents: ItemEventMode = 'synced'): MemberState {
  const events = planMember(state, exported(spec), { ...OPTIONS, itemEvents }).events.map((event) => JSON.parse(event.body) as LoyaltyEvent);
  return applyEvents(state, events)!;
}

const plan = (state: MemberState | undefined, spec: MemberSpec, itemEvents: ItemEventMode, timestamp = OPTIONS.timestamp) =>
  planMember(state, exported(spec), { ...OPTIONS, itemEvents, timestamp }).events.map((event) => ({ ...event, parsed: JSON.parse(event.body) as LoyaltyEvent }));

describe('--item-events', () => {
  const before: MemberSpec = { member, coupons: forty, stampCards: [card('S1', 3), card('S2', 9)] };
  const state = delivered(before);
  const oneChanged: MemberSpec = { ...before, coupons: forty.map((item) => (item.couponId === 'C07' ? coupon('C07', 'Kaffe og bolle') : item)) };

  it('synced (the default): a member whose one coupon of 40 changed gets all 40', () => {
    const events = plan(state, oneChanged, 'synced');
    expect(events.map((event) => [event.action, event.basis])).toEqual([['benefits.coupons.synced', 'synced']]);
    expect((events[0]!.parsed.payload as { coupons: Coupon[] }).coupons).toHaveLength(40);
  });

  it('items: one event per changed or removed item, deletions first, each in item-id order', () => {
    const spec: MemberSpec = { ...oneChanged, coupons: [...oneChanged.coupons!.filter((item) => item.couponId !== 'C03' && item.couponId !== 'C31'), coupon('C99')], stampCards: [card('S1', 4), card('S2', 9)] };
    const events = plan(state, spec, 'items');
    expect(events.map((event) => [event.action, event.basis])).toEqual([
      ['benefits.coupon.deleted', 'items'],
      ['benefits.coupon.deleted', 'items'],
      ['benefits.coupon.updated', 'items'],
      ['benefits.coupon.updated', 'items'],
      ['benefits.stampCard.updated', 'items'],
    ]);
    expect(events.map((event) => event.parsed.payload)).toEqual([
      { ...member, couponId: 'C03' },
      { ...member, couponId: 'C31' },
      { ...member, coupon: coupon('C07', 'Kaffe og bolle') },
      { ...member, coupon: coupon('C99') },
      { ...member, stampCard: card('S1', 4) },
    ]);
    // The same member as the full replacements give (the revision counts events: 5 here, 2 there).
    const withoutRev = ({ rev: _rev, ...rest }: MemberState) => rest;
    expect(withoutRev(applyEvents(state, events.map((event) => event.parsed))!)).toEqual(withoutRev(delivered(spec, state, 'synced')));
  });

  it('removes every item one by one in items mode when the set is emptied, and auto sends the empty replacement', () => {
    const emptied: MemberSpec = { ...before, stampCards: [] };
    expect(plan(state, emptied, 'items').map((event) => event.action)).toEqual(['benefits.stampCard.deleted', 'benefits.stampCard.deleted']);
    expect(plan(state, emptied, 'auto').map((event) => [event.action, event.basis])).toEqual([['benefits.stampCards.synced', 'auto: synced']]);
  });

  it('auto: per member and kind, whichever is smaller in bytes', () => {
    // One coupon of 40 changed: the item event is far smaller. Both stamp cards changed: two item events
    // outweigh one replacement of two cards.
    const spec: MemberSpec = { ...oneChanged, stampCards: [card('S1', 4), card('S2', 10)] };
    const events = plan(state, spec, 'auto');
    expect(events.map((event) => [event.action, event.basis])).toEqual([
      ['benefits.coupon.updated', 'auto: items'],
      ['benefits.stampCards.synced', 'auto: synced'],
    ]);
    const bytes = (mode: ItemEventMode, kind: string) => plan(state, spec, mode).filter((event) => event.action.includes(kind)).reduce((sum, event) => sum + Buffer.byteLength(event.body), 0);
    expect(bytes('items', 'coupon')).toBeLessThan(bytes('synced', 'coupon'));
    expect(bytes('synced', 'stampCard')).toBeLessThanOrEqual(bytes('items', 'stampCard'));
  });

  it("keeps a member's first sync of a kind a full replacement, in every mode", () => {
    for (const mode of ['items', 'auto'] as const) {
      expect(plan(undefined, before, mode).map((event) => [event.action, event.basis])).toEqual([
        ['benefits.member.registered', undefined],
        ['benefits.coupons.synced', 'first sync'],
        ['benefits.stampCards.synced', 'first sync'],
      ]);
      // A known member whose set was empty: the API holds nothing of the kind that item events could build on.
      const withoutCards = delivered({ ...before, stampCards: [] });
      expect(plan(withoutCards, before, mode).map((event) => [event.action, event.basis])).toEqual([['benefits.stampCards.synced', 'first sync']]);
    }
  });

  it('gives each item transition its own deterministic id', () => {
    const [first] = plan(state, oneChanged, 'items');
    const [again] = plan(state, oneChanged, 'items');
    expect(again!.eventId).toBe(first!.eventId);
    // Another item, another content, another export time, another revision: another id each.
    const ids = new Set([
      first!.eventId,
      plan(state, { ...before, coupons: forty.map((item) => (item.couponId === 'C08' ? coupon('C08', 'Kaffe og bolle') : item)) }, 'items')[0]!.eventId,
      plan(state, { ...before, coupons: forty.map((item) => (item.couponId === 'C07' ? coupon('C07', 'Te') : item)) }, 'items')[0]!.eventId,
      plan(state, oneChanged, 'items', '2026-11-25T23:00:00Z')[0]!.eventId,
      plan({ ...state, rev: state.rev + 1 }, oneChanged, 'items')[0]!.eventId,
    ]);
    expect(ids.size).toBe(5);
  });

  it('reads the documents of a snapshot state that holds hashes only, and only when a set changed', () => {
    const hashesOnly: MemberState = { ...state, member: { hash: state.member!.hash }, coupons: { hash: state.coupons.hash }, stampCards: { hash: state.stampCards.hash }, bonusChecks: { hash: state.bonusChecks.hash } };
    const reads: string[] = [];
    const documentsOf = (contactId: string) => (reads.push(contactId), state);
    expect(planMember(hashesOnly, exported(before), { ...OPTIONS, itemEvents: 'items', documentsOf }).events).toEqual([]);
    expect(reads).toEqual([]);
    const events = planMember(hashesOnly, exported(oneChanged), { ...OPTIONS, itemEvents: 'items', documentsOf }).events;
    expect(events.map((event) => event.action)).toEqual(['benefits.coupon.updated']);
    expect(reads).toEqual(['M-1']);
  });
});
