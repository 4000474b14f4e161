// What the sandbox believes each member looks like after the accepted events, so tests and demos can
// compare it with the merchant's CSV. Events that have nothing to act on are accepted (the real API
// validates synchronously and processes asynchronously, so it cannot refuse them) but are not applied
// and are reported as anomalies: they usually mean the job sent events in the wrong order or twice.
import type { BonusCheck, Coupon, LoyaltyEvent, Member, StampCard } from '../api/events.ts';
import type { Action } from '../base/actions.ts';

/** One member as inspection shows it; lists are sorted by their ids. */
export interface MemberState {
  contactId: string;
  deleted: boolean;
  /** The member payload as last registered/updated (incl. contactId and phoneNumber). */
  member: Member;
  coupons: Coupon[];
  stampCards: StampCard[];
  bonusChecks: BonusCheck[];
  /** `timestamp` of the last event applied to this member. */
  lastEventAt: string;
}

export type AnomalyReason =
  | 'member-not-registered'
  | 'member-deleted'
  | 'member-already-registered'
  | 'coupon-not-found'
  | 'stamp-card-not-found'
  | 'bonus-check-not-found'
  | 'bonus-check-exists';

export interface ApplyOutcome {
  applied: boolean;
  anomaly?: { reason: AnomalyReason; detail: string };
}

interface MemberRecord {
  contactId: string;
  deleted: boolean;
  member: Member;
  coupons: Map<string, Coupon>;
  stampCards: Map<string, StampCard>;
  bonusChecks: Map<string, BonusCheck>;
  lastEventAt: string;
}

type EventOf<A extends Action> = Extract<LoyaltyEvent, { action: A }>;
type ActiveMemberEvent = Exclude<LoyaltyEvent, { action: 'benefits.member.registered' }>;

export class MemberRegistry {
  readonly #members = new Map<string, MemberRecord>();

  apply(event: LoyaltyEvent): ApplyOutcome {
    const { contactId } = event.payload;
    const record = this.#members.get(contactId);
    if (event.action === 'benefits.member.registered') return this.#register(record, event);
    if (!record) return skipped('member-not-registered', `contact ${contactId} was never registered`);
    if (record.deleted) return skipped('member-deleted', `contact ${contactId} was deleted; only a new benefits.member.registered revives it`);
    const outcome = applyToActiveMember(record, event);
    if (outcome.applied) record.lastEventAt = event.timestamp;
    return outcome;
  }

  get(contactId: string): MemberState | undefined {
    const record = this.#members.get(contactId);
    return record && toMemberState(record);
  }

  /** Members sorted by contactId; deleted ones only when asked for. */
  list(includeDeleted = false): MemberState[] {
    return [...this.#members.values()]
      .filter((record) => includeDeleted || !record.deleted)
      .sort((a, b) => compareIds(a.contactId, b.contactId))
      .map(toMemberState);
  }

  clear(): void {
    this.#members.clear();
  }

  #register(record: MemberRecord | undefined, event: EventOf<'benefits.member.registered'>): ApplyOutcome {
    const { payload, timestamp } = event;
    if (record && !record.deleted) {
      // A second registration replaces the member fields like an update; benefits stay.
      record.member = payload;
      record.lastEventAt = timestamp;
      return { applied: true, anomaly: { reason: 'member-already-registered', detail: `contact ${payload.contactId} is already registered; applied as a replacement` } };
    }
    // New, or revived after a deletion: a member who left and came back starts without benefits.
    this.#members.set(payload.contactId, {
      contactId: payload.contactId,
      deleted: false,
      member: payload,
      coupons: new Map(),
      stampCards: new Map(),
      bonusChecks: new Map(),
      lastEventAt: timestamp,
    });
    return { applied: true };
  }
}

function applyToActiveMember(record: MemberRecord, event: ActiveMemberEvent): ApplyOutcome {
  switch (event.action) {
    case 'benefits.member.updated':
      record.member = event.payload;
      return { applied: true };
    case 'benefits.member.deleted':
      // Kept (frozen, with its benefits) so inspection can show what the member had when deleted.
      record.deleted = true;
      return { applied: true };
    case 'benefits.coupon.updated':
      record.coupons.set(event.payload.coupon.couponId, event.payload.coupon);
      return { applied: true };
    case 'benefits.coupon.deleted':
      return removeFrom(record.coupons, event.payload.couponId, 'coupon-not-found', 'coupon');
    case 'benefits.coupons.synced':
      record.coupons = new Map(event.payload.coupons.map((coupon) => [coupon.couponId, coupon]));
      return { applied: true };
    case 'benefits.stampCard.updated':
      record.stampCards.set(event.payload.stampCard.stampCardId, event.payload.stampCard);
      return { applied: true };
    case 'benefits.stampCard.deleted':
      return removeFrom(record.stampCards, event.payload.stampCardId, 'stamp-card-not-found', 'stamp card');
    case 'benefits.stampCards.synced':
      record.stampCards = new Map(event.payload.stampCards.map((card) => [card.stampCardId, card]));
      return { applied: true };
    case 'benefits.bonusCheck.created': {
      const { bonusCheckId } = event.payload.bonusCheck;
      // There is no bonusCheck.updated in the API, so a second `created` is a client bug: keep the first.
      if (record.bonusChecks.has(bonusCheckId)) return skipped('bonus-check-exists', `bonus check ${bonusCheckId} already exists; not replaced`);
      record.bonusChecks.set(bonusCheckId, event.payload.bonusCheck);
      return { applied: true };
    }
    case 'benefits.bonusCheck.deleted':
      return removeFrom(record.bonusChecks, event.payload.bonusCheckId, 'bonus-check-not-found', 'bonus check');
  }
}

function removeFrom(items: Map<string, unknown>, id: string, reason: AnomalyReason, noun: string): ApplyOutcome {
  return items.delete(id) ? { applied: true } : skipped(reason, `${noun} ${id} does not exist`);
}

function skipped(reason: AnomalyReason, detail: string): ApplyOutcome {
  return { applied: false, anomaly: { reason, detail } };
}

/** A deep copy, so callers cannot change the sandbox's state through what inspection returns. */
function toMemberState(record: MemberRecord): MemberState {
  return structuredClone({
    contactId: record.contactId,
    deleted: record.deleted,
    member: record.member,
    coupons: sortedValues(record.coupons),
    stampCards: sortedValues(record.stampCards),
    bonusChecks: sortedValues(record.bonusChecks),
    lastEventAt: record.lastEventAt,
  });
}

function sortedValues<T>(items: Map<string, T>): T[] {
  return [...items.entries()].sort(([a], [b]) => compareIds(a, b)).map(([, value]) => value);
}

/** Code-unit order, independent of the machine's locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
