// The eleven actions of the Loyalty API (names confirmed; note the exact casing and verbs): the vocabulary
// every stage shares. Their payload schemas live in src/api/events.ts. State files store an action as
// its index in this list (src/state/outbox-codes.ts): append, never reorder.

export const ACTIONS = [
  'benefits.member.registered',
  'benefits.member.updated',
  'benefits.member.deleted',
  'benefits.coupon.updated',
  'benefits.coupon.deleted',
  'benefits.coupons.synced',
  'benefits.stampCard.updated',
  'benefits.stampCard.deleted',
  'benefits.stampCards.synced',
  'benefits.bonusCheck.created',
  'benefits.bonusCheck.deleted',
] as const;
export type Action = (typeof ACTIONS)[number];

/** `member.registered` for `benefits.member.registered`: every action has the prefix. */
export function shortAction(action: string): string {
  return action.replace(/^benefits\./, '');
}
