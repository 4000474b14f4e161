// What the API holds for one member, as far as accepted events tell: the snapshot row in memory.
// `applyEvent` is the one definition of what an event does to it; the snapshot commit folds accepted
// events with it, and the planner is tested against it (planned events take old state to new state).
import type { BonusCheck, Coupon, LoyaltyEvent, StampCard } from '../api/events.ts';
import { compareKeys, hashText } from '../base/canonical.ts';

export interface Part {
  /** Canonical JSON (a document, or a set sorted by item id). Absent when only the hash was loaded. */
  text?: string;
  hash: string;
}

export interface MemberState {
  contactId: string;
  /**
   * How many events the API has applied to this member so far (as far as accepted events tell; plus, in
   * a state planned "as if", the events in doubt): part of every event id (see event-id.ts).
   */
  rev: number;
  deleted: boolean;
  phoneNumber: string;
  member?: Part;
  coupons: Part;
  stampCards: Part;
  bonusChecks: Part;
}

export const SET_PARTS = ['coupons', 'stampCards', 'bonusChecks'] as const;
export type SetPart = (typeof SET_PARTS)[number];

export function part(text: string): Part {
  return { text, hash: hashText(text) };
}

export const EMPTY_SET = part('[]');

/** The state a member has after registration with no sets yet (or after deletion: nothing left). */
function blankState(contactId: string, rev: number, phoneNumber: string, deleted: boolean): MemberState {
  return { contactId, rev, deleted, phoneNumber, coupons: EMPTY_SET, stampCards: EMPTY_SET, bonusChecks: EMPTY_SET };
}

type Item = Coupon | StampCard | BonusCheck;

function itemsOf(set: Part): Item[] {
  if (set.text === undefined) throw new Error('set text not loaded');
  return JSON.parse(set.text) as Item[];
}

function withItem<T extends Item>(set: Part, id: (item: T) => string, item: T | undefined, removeId: string): Part {
  const items = (itemsOf(set) as T[]).filter((existing) => id(existing) !== removeId);
  if (item) items.push(item);
  items.sort((a, b) => compareKeys(id(a), id(b)));
  return part(JSON.stringify(items));
}

const couponId = (item: Coupon) => item.couponId;
const stampCardId = (item: StampCard) => item.stampCardId;
const bonusCheckId = (item: BonusCheck) => item.bonusCheckId;

/** The member's state after the API applied `event`. Pure; `state` is not modified. */
export function applyEvent(state: MemberState | undefined, event: LoyaltyEvent): MemberState {
  const { payload } = event;
  const rev = state?.rev ?? 0;
  const current = state && !state.deleted ? state : blankState(payload.contactId, rev, payload.phoneNumber, false);
  switch (event.action) {
    case 'benefits.member.registered':
      return { ...blankState(payload.contactId, rev, payload.phoneNumber, false), member: part(JSON.stringify(event.payload)) };
    case 'benefits.member.updated':
      return { ...current, phoneNumber: event.payload.phoneNumber, member: part(JSON.stringify(event.payload)) };
    case 'benefits.member.deleted':
      return blankState(payload.contactId, rev, state?.phoneNumber ?? payload.phoneNumber, true);
    case 'benefits.coupons.synced':
      return { ...current, coupons: part(JSON.stringify(event.payload.coupons)) };
    case 'benefits.stampCards.synced':
      return { ...current, stampCards: part(JSON.stringify(event.payload.stampCards)) };
    case 'benefits.coupon.updated':
      return { ...current, coupons: withItem(current.coupons, couponId, event.payload.coupon, event.payload.coupon.couponId) };
    case 'benefits.coupon.deleted':
      return { ...current, coupons: withItem<Coupon>(current.coupons, couponId, undefined, event.payload.couponId) };
    case 'benefits.stampCard.updated':
      return { ...current, stampCards: withItem(current.stampCards, stampCardId, event.payload.stampCard, event.payload.stampCard.stampCardId) };
    case 'benefits.stampCard.deleted':
      return { ...current, stampCards: withItem<StampCard>(current.stampCards, stampCardId, undefined, event.payload.stampCardId) };
    case 'benefits.bonusCheck.created':
      return { ...current, bonusChecks: withItem(current.bonusChecks, bonusCheckId, event.payload.bonusCheck, event.payload.bonusCheck.bonusCheckId) };
    case 'benefits.bonusCheck.deleted':
      return { ...current, bonusChecks: withItem<BonusCheck>(current.bonusChecks, bonusCheckId, undefined, event.payload.bonusCheckId) };
  }
}

/**
 * Folds accepted events (in order) into the state. The revision counts every event, not every commit:
 * a state planned as if k events in doubt were applied has revision + k (in-doubt.ts), and a later
 * commit must not fall back to a revision that planning already used. So events in doubt that the
 * accepted ones overrode (`overridden`: cleared without being re-sent, and maybe applied by the API)
 * count too: without them, a member deleted over two events in doubt, registered again in doubt, then
 * gone again, was planned a deletion with the id of the first one, which the API deduplicated.
 */
export function applyEvents(state: MemberState | undefined, events: readonly LoyaltyEvent[], overridden = 0): MemberState | undefined {
  if (events.length === 0) return state;
  const next = events.reduce<MemberState | undefined>((acc, event) => applyEvent(acc, event), state);
  return { ...next!, rev: (state?.rev ?? 0) + events.length + overridden };
}
