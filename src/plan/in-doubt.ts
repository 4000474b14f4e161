// Planning a member whose earlier events are in doubt: sent, not accepted, and maybe applied by the API
// (an answer lost after sending, a 502/504, a 2xx that was not the acceptance). Pure.
//
// The rule (README "Guarantees": never re-sent under a new id): plan from the state *as if* the events in doubt had been
// applied. An event in doubt whose effect the new plan does not override is still wanted: it goes first,
// as the very same request (same id, same body; the API deduplicates it if it did apply it). One the new
// plan overrides (the member left, the bonus check is gone, the set changed again) is not sent again: the
// event that overrides it makes the API's state the same whether or not it was applied, and clears the
// doubt once accepted (`resolves`). So a change is never re-sent under a new id.
//
// Why the order is safe: a member's events are sent one at a time and its plan stops at the first one not
// accepted, so each run adds at most one event in doubt per member, after every earlier one was resolved;
// re-sent events keep the order they were first sent in.
import type { LoyaltyEvent } from '../api/events.ts';
import { applyEvent, type MemberState } from '../state/member-state.ts';
import { planMember, type ExportedMember, type MemberPlan, type PlanOptions } from './plan-member.ts';
import { type PlannedEvent } from '../base/run-shapes.ts';

export interface PlanAfterDoubt extends MemberPlan {
  /** Accepted event id → the ids in doubt it overrides (cleared when it is accepted). */
  resolves: Record<string, string[]>;
}

export function planMemberInDoubt(old: MemberState | undefined, doubts: readonly PlannedEvent[], next: ExportedMember | undefined, options: PlanOptions): PlanAfterDoubt {
  if (doubts.length === 0) return { ...planMember(old, next, options), resolves: {} };
  const parsed = doubts.map((doubt) => ({ doubt, event: JSON.parse(doubt.body) as LoyaltyEvent }));
  const fresh = planMember(foldAsIf(old, parsed.map(({ event }) => event)), next, options);

  // From the last event in doubt to the first: each is overridden by the first later event that is sent
  // and overrides it (overriding is transitive, so skipped later ones need not be looked at), else re-sent.
  const sentAfter: { planned: PlannedEvent; event: LoyaltyEvent }[] = fresh.events.map((planned) => ({ planned, event: JSON.parse(planned.body) as LoyaltyEvent }));
  const resolves: Record<string, string[]> = {};
  for (const { doubt, event } of parsed.toReversed()) {
    const overrider = sentAfter.find((later) => overrides(later.event, event));
    if (overrider) (resolves[overrider.planned.eventId] ??= []).unshift(doubt.eventId);
    else sentAfter.unshift({ planned: doubt, event });
  }
  const events = sentAfter.map(({ planned }) => planned);
  const known = old && !old.deleted;
  const change = !next ? (events.length > 0 ? 'deleted' : 'unchanged') : !known ? 'new' : events.length > 0 ? 'changed' : 'unchanged';
  return { contactId: fresh.contactId, change, events, resolves };
}

/** The member's state as if the events in doubt had been applied (undefined when there are none and no state). */
export function stateAsIf(old: MemberState | undefined, doubts: readonly PlannedEvent[]): MemberState | undefined {
  return doubts.length === 0 ? old : foldAsIf(old, doubts.map((doubt) => JSON.parse(doubt.body) as LoyaltyEvent));
}

function foldAsIf(old: MemberState | undefined, events: readonly LoyaltyEvent[]): MemberState {
  const folded = events.reduce<MemberState | undefined>((state, event) => applyEvent(state, event), old)!;
  // Each possibly applied event counts like an applied one (see MemberState.rev): a transition planned
  // after it gets an id of its own, even if the same transition was planned (and maybe applied) before.
  return { ...folded, rev: (old?.rev ?? 0) + events.length };
}

/**
 * Whether `later`, sent after `earlier`, leaves the member in the same state whether or not `earlier` was
 * applied — under the API's semantics as the sandbox models them, which are stricter than our snapshot's:
 * a second `member.registered` keeps the member's benefits, a second `bonusCheck.created` keeps the first
 * check. So a registration never overrides a deletion (nor a `created` a deleted check): the deletion in
 * doubt is re-sent first.
 */
export function overrides(later: LoyaltyEvent, earlier: LoyaltyEvent): boolean {
  if (later.payload.contactId !== earlier.payload.contactId) return false;
  if (later.action === 'benefits.member.deleted') return true;
  const item = itemOf(earlier);
  switch (later.action) {
    case 'benefits.member.updated':
      return earlier.action === 'benefits.member.updated';
    case 'benefits.coupons.synced':
      return earlier.action === 'benefits.coupons.synced' || item?.kind === 'coupon';
    case 'benefits.stampCards.synced':
      return earlier.action === 'benefits.stampCards.synced' || item?.kind === 'stampCard';
    case 'benefits.coupon.updated':
      return item?.kind === 'coupon' && item.id === later.payload.coupon.couponId;
    case 'benefits.coupon.deleted':
      return item?.kind === 'coupon' && item.id === later.payload.couponId;
    case 'benefits.stampCard.updated':
      return item?.kind === 'stampCard' && item.id === later.payload.stampCard.stampCardId;
    case 'benefits.stampCard.deleted':
      return item?.kind === 'stampCard' && item.id === later.payload.stampCardId;
    case 'benefits.bonusCheck.deleted':
      return item?.kind === 'bonusCheck' && item.id === later.payload.bonusCheckId;
    default:
      // member.registered and bonusCheck.created add to what is there rather than replace it.
      return false;
  }
}

/** The single item an item event touches. */
function itemOf(event: LoyaltyEvent): { kind: 'coupon' | 'stampCard' | 'bonusCheck'; id: string } | undefined {
  switch (event.action) {
    case 'benefits.coupon.updated':
      return { kind: 'coupon', id: event.payload.coupon.couponId };
    case 'benefits.coupon.deleted':
      return { kind: 'coupon', id: event.payload.couponId };
    case 'benefits.stampCard.updated':
      return { kind: 'stampCard', id: event.payload.stampCard.stampCardId };
    case 'benefits.stampCard.deleted':
      return { kind: 'stampCard', id: event.payload.stampCardId };
    case 'benefits.bonusCheck.created':
      return { kind: 'bonusCheck', id: event.payload.bonusCheck.bonusCheckId };
    case 'benefits.bonusCheck.deleted':
      return { kind: 'bonusCheck', id: event.payload.bonusCheckId };
    default:
      return undefined;
  }
}
