// Coupon and stamp-card changes (README "What is sent", `--item-events`): one full replacement per
// member and kind (`…s.synced`), one event per changed or removed item (`….updated` / `….deleted`), or
// in `auto` whichever of the two has fewer bytes. Pure.
//
// A member's first sync of a kind is always the full replacement: when the snapshot holds no item of the
// kind (a new member, a kind never sent, a set emptied before), the API may hold whatever another system
// put there, and only a replacement makes it equal to the export. It is also never larger.
import type { Action } from '../base/actions.ts';
import { hashText, setText } from '../base/canonical.ts';
import type { ItemEventMode, SetEventBasis } from '../base/item-events.ts';
import { EMPTY_SET, part, type Part } from '../state/member-state.ts';

export type SetKind = 'coupons' | 'stampCards';

interface SetActions {
  synced: Action;
  updated: Action;
  deleted: Action;
  /** The payload field of the item in `updated`, and of its id in `deleted`. */
  itemField: string;
  idField: string;
}

export const SET_ACTIONS: Record<SetKind, SetActions> = {
  coupons: { synced: 'benefits.coupons.synced', updated: 'benefits.coupon.updated', deleted: 'benefits.coupon.deleted', itemField: 'coupon', idField: 'couponId' },
  stampCards: { synced: 'benefits.stampCards.synced', updated: 'benefits.stampCard.updated', deleted: 'benefits.stampCard.deleted', itemField: 'stampCard', idField: 'stampCardId' },
};

/** An event before it gets its id: what its transition and body are made of. */
export interface EventDraft {
  action: Action;
  /** The payload's JSON text. */
  payload: string;
  hashBefore: string;
  hashAfter: string;
  itemId?: string;
  basis?: SetEventBasis;
}

export interface SetChange {
  kind: SetKind;
  /** The set the API holds (`undefined`: a member new to the API). */
  before: Part | undefined;
  /** The items the API holds, by id: their canonical documents. Read only when the set changed. */
  itemsBefore: () => ReadonlyMap<string, string>;
  /** Tonight's item documents, canonical JSON in item-id order. */
  after: readonly string[];
  /** `"contactId":…,"phoneNumber":…`: the identity every payload starts with. */
  identity: string;
  mode: ItemEventMode;
  /** Backfill: send the whole set even when unchanged. */
  resend: boolean;
  /** The request body's bytes for a payload of this many bytes (item and set events compare on them). */
  bodyBytes: (action: Action, payloadBytes: number) => number;
}

const quote = JSON.stringify;

export function planSetEvents(change: SetChange): EventDraft[] {
  const { kind, before, identity } = change;
  const actions = SET_ACTIONS[kind];
  const after = change.after.length === 0 ? EMPTY_SET : part(setText(change.after));
  const changed = before ? after.hash !== before.hash : after.hash !== EMPTY_SET.hash;
  if (!changed && !change.resend) return [];
  const synced = (basis: SetEventBasis): EventDraft[] => [
    { action: actions.synced, payload: `{${identity},${quote(kind)}:${after.text}}`, hashBefore: before ? before.hash : '', hashAfter: after.hash, basis },
  ];
  const firstSync = !before || before.hash === EMPTY_SET.hash;
  if (change.resend || firstSync) return synced(firstSync && !change.resend ? 'first sync' : 'synced');
  if (change.mode === 'synced') return synced('synced');

  const items = itemDrafts(change, actions, change.mode === 'items' ? 'items' : 'auto: items');
  if (change.mode === 'items') return items;
  const [replacement] = synced('auto: synced');
  const bytesOf = (drafts: readonly EventDraft[]) => drafts.reduce((sum, draft) => sum + change.bodyBytes(draft.action, Buffer.byteLength(draft.payload)), 0);
  // A tie goes to the replacement: one request instead of several.
  return bytesOf(items) < bytesOf([replacement!]) ? items : [replacement!];
}

/** One `deleted` per removed item, then one `updated` per new or changed item, each in item-id order. */
function itemDrafts(change: SetChange, actions: SetActions, basis: SetEventBasis): EventDraft[] {
  const before = change.itemsBefore();
  const after = new Map(change.after.map((doc) => [idOf(doc, actions.idField), doc]));
  const drafts: EventDraft[] = [];
  for (const [id, doc] of before) {
    if (after.has(id)) continue;
    drafts.push({ action: actions.deleted, payload: `{${change.identity},${quote(actions.idField)}:${quote(id)}}`, hashBefore: hashText(doc), hashAfter: '', itemId: id, basis });
  }
  for (const [id, doc] of after) {
    const old = before.get(id);
    if (old === doc) continue;
    drafts.push({ action: actions.updated, payload: `{${change.identity},${quote(actions.itemField)}:${doc}}`, hashBefore: old === undefined ? '' : hashText(old), hashAfter: hashText(doc), itemId: id, basis });
  }
  return drafts;
}

/** The items of a stored set, by id, as canonical documents (the text they were sent as). */
export function itemDocuments(set: Part, idField: string): Map<string, string> {
  if (set.text === undefined) throw new Error('set text not loaded');
  const items = JSON.parse(set.text) as Record<string, unknown>[];
  return new Map(items.map((item) => [String(item[idField]), JSON.stringify(item)]));
}

function idOf(doc: string, idField: string): string {
  return String((JSON.parse(doc) as Record<string, unknown>)[idField]);
}
