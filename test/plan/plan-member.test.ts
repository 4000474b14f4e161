// The planning rules of design.md, one example each.
import { describe, expect, it } from 'vitest';
import type { LoyaltyEvent } from '../../src/api/events.ts';
import { applyEvents, type MemberState } from '../../src/state/member-state.ts';
import { planMember, type PlanOptions } from '../../src/plan/plan-member.ts';
import { EXPORT_KINDS } from '../../src/base/kinds.ts';
import { exported, type MemberSpec } from '../fixtures/members.ts';

const OPTIONS: PlanOptions = { resend: new Set(), timestamp: '2026-11-24T23:00:00Z' };
const base: MemberSpec = {
  member: { contactId: 'M-1', phoneNumber: '+4741234567', tier: 'gold' },
  coupons: [{ couponId: 'C2', title: 'Bolle' }, { couponId: 'C1', title: 'Kaffe' }],
  stampCards: [],
  bonusChecks: [{ bonusCheckId: 'B1', amount: { currency: 'NOK', value: 5000 } }],
};

const actions = (state: MemberState | undefined, spec: MemberSpec | undefined, options = OPTIONS) =>
  planMember(state, spec && exported(spec), options).events.map((event) => event.action);

function delivered(spec: MemberSpec, state?: MemberState): MemberState {
  const events = planMember(state, exported(spec), OPTIONS).events.map((event) => JSON.parse(event.body) as LoyaltyEvent);
  return applyEvents(state, events)!;
}

describe('planMember', () => {
  it('registers a new member, then syncs its non-empty sets, then creates its bonus checks', () => {
    expect(actions(undefined, base)).toEqual(['benefits.member.registered', 'benefits.coupons.synced', 'benefits.bonusCheck.created']);
  });

  it('sends the whole coupon set, sorted by id, with the member identity', () => {
    const [, synced] = planMember(undefined, exported(base), OPTIONS).events;
    expect(JSON.parse(synced!.body)).toEqual({
      eventId: synced!.eventId,
      timestamp: '2026-11-24T23:00:00Z',
      action: 'benefits.coupons.synced',
      payload: { contactId: 'M-1', phoneNumber: '+4741234567', coupons: [{ couponId: 'C1', title: 'Kaffe' }, { couponId: 'C2', title: 'Bolle' }] },
    });
    expect(synced!.eventId).toMatch(/^evt-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('updates changed member fields with the full member state only', () => {
    const state = delivered(base);
    expect(actions(state, { ...base, member: { ...base.member, tier: 'silver' } })).toEqual(['benefits.member.updated']);
  });

  it('syncs a set that became empty', () => {
    const state = delivered(base);
    const [event] = planMember(state, exported({ ...base, coupons: [] }), OPTIONS).events;
    expect(JSON.parse(event!.body).payload.coupons).toEqual([]);
  });

  it('keeps the sets of a kind the export does not carry', () => {
    const state = delivered(base);
    expect(actions(state, { member: base.member })).toEqual([]);
  });

  it('deletes removed bonus checks before creating added ones, and replaces a changed one', () => {
    const state = delivered(base);
    const next: MemberSpec = { ...base, bonusChecks: [{ bonusCheckId: 'B0', amount: { currency: 'NOK', value: 100 } }, { bonusCheckId: 'B1', amount: { currency: 'NOK', value: 7500 } }] };
    const events = planMember(state, exported(next), OPTIONS).events.map((event) => [event.action, JSON.parse(event.body).payload.bonusCheckId ?? JSON.parse(event.body).payload.bonusCheck.bonusCheckId]);
    expect(events).toEqual([
      ['benefits.bonusCheck.deleted', 'B1'],
      ['benefits.bonusCheck.created', 'B0'],
      ['benefits.bonusCheck.created', 'B1'],
    ]);
  });

  it('deletes a member gone from the export with its last known phone number', () => {
    const state = delivered(base);
    const [event] = planMember(state, undefined, OPTIONS).events;
    expect(event!.action).toBe('benefits.member.deleted');
    expect(JSON.parse(event!.body).payload).toEqual({ contactId: 'M-1', phoneNumber: '+4741234567' });
    const tombstone = applyEvents(state, [JSON.parse(event!.body)]);
    expect(planMember(tombstone, undefined, OPTIONS).events).toEqual([]);
    expect(actions(tombstone, base)[0]).toBe('benefits.member.registered');
  });

  it('backfill resends full state: updated, every present set (even empty), every bonus check', () => {
    const state = delivered(base);
    expect(actions(state, base, { ...OPTIONS, resend: new Set(EXPORT_KINDS) })).toEqual([
      'benefits.member.updated',
      'benefits.coupons.synced',
      'benefits.stampCards.synced',
      'benefits.bonusCheck.created',
    ]);
  });

  it('gives different targets from the same state different ids, and re-registration after a delete a new id', () => {
    const state = delivered(base);
    const toSilver = planMember(state, exported({ ...base, member: { ...base.member, tier: 'silver' } }), OPTIONS).events[0]!;
    const toBronze = planMember(state, exported({ ...base, member: { ...base.member, tier: 'bronze' } }), OPTIONS).events[0]!;
    expect(toSilver.eventId).not.toBe(toBronze.eventId);
    const registered = planMember(undefined, exported(base), OPTIONS).events[0]!;
    const tombstone = applyEvents(state, [JSON.parse(planMember(state, undefined, OPTIONS).events[0]!.body)]);
    expect(planMember(tombstone, exported(base), OPTIONS).events[0]!.eventId).not.toBe(registered.eventId);
  });
});
