// The planning rules (README "What is sent"), for one member: old state (snapshot) and new
// state (tonight's export) in, the minimal ordered list of events out. Pure.
import type { PlannedEvent } from '../base/run-shapes.ts';
import type { Action } from '../base/actions.ts';
import type { ItemEventMode } from '../base/item-events.ts';
import type { ExportKind } from '../base/kinds.ts';
import { hashText, setText } from '../base/canonical.ts';
import { eventIdOf } from './event-id.ts';
import { itemDocuments, planSetEvents, type EventDraft, type SetKind } from './set-events.ts';
import { EMPTY_SET, part, type MemberState } from '../state/member-state.ts';

/** One member as tonight's export describes it. Documents are canonical JSON in item-id order. */
export interface ExportedMember {
  contactId: string;
  phoneNumber: string;
  member: string;
  /** Undefined when the export carries no information on that kind (file absent or not trusted). */
  coupons?: readonly string[];
  stampCards?: readonly string[];
  bonusChecks?: readonly { id: string; doc: string }[];
}

export interface PlanOptions {
  /**
   * Backfill (`--full`): parts resent even when unchanged. The member itself gets `updated`, a set of a
   * kind present in the export is synced (even empty), every bonus check is created again.
   */
  resend: ReadonlySet<ExportKind>;
  /** The export's as-of time: every event's `timestamp`. */
  timestamp: string;
  /** What the state file adds to every event id, if anything (src/state/state-meta.ts). */
  epoch?: string;
  /** How coupon and stamp-card changes are sent (`--item-events`; default `synced`). */
  itemEvents?: ItemEventMode;
  /**
   * The member with its documents, for an `old` state that holds hashes only (the snapshot scan): read
   * only when one of its sets changed, to tell which items did.
   */
  documentsOf?: (contactId: string) => MemberState | undefined;
}

export type MemberChange = 'new' | 'changed' | 'unchanged' | 'deleted';

export interface MemberPlan {
  contactId: string;
  change: MemberChange;
  events: PlannedEvent[];
}

const quote = JSON.stringify;

export function planMember(old: MemberState | undefined, next: ExportedMember | undefined, options: PlanOptions): MemberPlan {
  const contactId = (next ?? old)!.contactId;
  // The member as the API knows it; a tombstone (deleted member) counts as unknown.
  const known = old && !old.deleted ? old : undefined;
  if (!next) {
    if (!known) return { contactId, change: 'unchanged', events: [] };
    return { contactId, change: 'deleted', events: [memberDeleted(known, options)] };
  }

  const rev = old?.rev ?? 0;
  const events: PlannedEvent[] = [];
  const bodyBytes = (action: Action, payloadBytes: number) => bodyBytesOf(options.timestamp, action, payloadBytes);
  const identity = `"contactId":${quote(contactId)},"phoneNumber":${quote(next.phoneNumber)}`;
  const add = ({ action, payload, hashBefore, hashAfter, itemId, basis }: EventDraft) => {
    const { eventId, payloadBytes } = eventIdOf({ contactId, action, itemId, rev, hashBefore, hashAfter, timestamp: options.timestamp, payload, epoch: options.epoch });
    events.push({ eventId, action, body: envelope(eventId, options.timestamp, action, payload), bodyBytes: bodyBytes(action, payloadBytes), ...(basis && { basis }) });
  };
  // The snapshot scan holds hashes only: the documents are read once, for a member whose set changed.
  let documents: MemberState | undefined;
  const withDocuments = (): MemberState => {
    if (known!.coupons.text !== undefined) return known!;
    documents ??= options.documentsOf?.(contactId);
    if (!documents) throw new Error(`the documents of ${contactId} are not in the snapshot`);
    return documents;
  };

  const member = part(next.member);
  const memberBefore = known?.member?.hash ?? '';
  if (!known) add({ action: 'benefits.member.registered', payload: next.member, hashBefore: memberBefore, hashAfter: member.hash });
  else if (options.resend.has('members') || memberBefore !== member.hash) add({ action: 'benefits.member.updated', payload: next.member, hashBefore: memberBefore, hashAfter: member.hash });

  const itemEvents = options.itemEvents ?? 'synced';
  const syncSet = (kind: SetKind, idField: string, docs: readonly string[] | undefined) => {
    if (docs === undefined) return;
    const drafts = planSetEvents({
      kind,
      before: known?.[kind],
      itemsBefore: () => itemDocuments(withDocuments()[kind], idField),
      after: docs,
      identity,
      mode: itemEvents,
      resend: options.resend.has(kind),
      bodyBytes,
    });
    for (const draft of drafts) add(draft);
  };
  syncSet('coupons', 'couponId', next.coupons);
  syncSet('stampCards', 'stampCardId', next.stampCards);

  if (next.bonusChecks) {
    const resendChecks = options.resend.has('bonusChecks');
    const afterSet = next.bonusChecks.length === 0 ? EMPTY_SET : part(setText(next.bonusChecks.map((check) => check.doc)));
    if (resendChecks || afterSet.hash !== (known?.bonusChecks.hash ?? EMPTY_SET.hash)) {
      const before = known ? itemDocuments(withDocuments().bonusChecks, 'bonusCheckId') : new Map<string, string>();
      const after = new Map(next.bonusChecks.map((check) => [check.id, check.doc]));
      // A check whose content changed is replaced (there is no bonusCheck.updated): deleted, then created.
      for (const [id, doc] of before) {
        if (after.get(id) !== doc) add({ action: 'benefits.bonusCheck.deleted', payload: `{${identity},"bonusCheckId":${quote(id)}}`, hashBefore: hashText(doc), hashAfter: '', itemId: id });
      }
      for (const [id, doc] of after) {
        if (resendChecks || before.get(id) !== doc) add({ action: 'benefits.bonusCheck.created', payload: `{${identity},"bonusCheck":${doc}}`, hashBefore: hashBeforeCheck(before.get(id)), hashAfter: hashText(doc), itemId: id });
      }
    }
  }

  const change = !known ? 'new' : events.length > 0 ? 'changed' : 'unchanged';
  return { contactId, change, events };
}

/** A created check's `hashBefore` (part of its event id): the hash of its old document, or of '' for a new one. */
const NO_CHECK_HASH = hashText('');
function hashBeforeCheck(doc: string | undefined): string {
  return doc === undefined ? NO_CHECK_HASH : hashText(doc);
}

function memberDeleted(old: MemberState, { timestamp, epoch }: PlanOptions): PlannedEvent {
  const action = 'benefits.member.deleted';
  const payload = `{"contactId":${quote(old.contactId)},"phoneNumber":${quote(old.phoneNumber)}}`;
  const { eventId, payloadBytes } = eventIdOf({ contactId: old.contactId, action, rev: old.rev, hashBefore: old.member?.hash ?? '', hashAfter: '', timestamp, payload, epoch });
  return { eventId, action, body: envelope(eventId, timestamp, action, payload), bodyBytes: bodyBytesOf(timestamp, action, payloadBytes) };
}

// The event id (`evt-` + a UUID), the timestamp (RFC 3339) and the action (a fixed name) never need JSON
// escaping; quoting them directly saves three JSON.stringify calls per event, at millions of events.
function envelope(eventId: string, timestamp: string, action: Action, payload: string): string {
  return `{"eventId":"${eventId}","timestamp":"${timestamp}","action":"${action}","payload":${payload}}`;
}

/** The envelope around an empty payload, without its timestamp and action (ids are `evt-` + a UUID: always 40 characters). */
const ENVELOPE_BYTES = envelope('evt-00000000-0000-0000-0000-000000000000', '', '' as Action, '').length;

/**
 * The UTF-8 size of `envelope(…, payload)` from the payload's: counted, not built, once per planned event.
 * The id, the timestamp and the action are ASCII, so their lengths are their bytes.
 */
function bodyBytesOf(timestamp: string, action: Action, payloadBytes: number): number {
  return ENVELOPE_BYTES + timestamp.length + action.length + payloadBytes;
}
