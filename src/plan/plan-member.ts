// The planning rules (README "What is sent"), for one member: old state (snapshot) and new
// state (tonight's export) in, the minimal ordered list of events out. Pure.
import type { PlannedEvent } from '../base/run-shapes.ts';
import type { Action } from '../base/actions.ts';
import type { ExportKind } from '../base/kinds.ts';
import { hashText, setText } from '../base/canonical.ts';
import { eventIdOf } from './event-id.ts';
import { EMPTY_SET, part, type MemberState, type Part } from '../state/member-state.ts';

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
  /** The state file's event-id epoch, if it was started over (see event-id.ts). */
  epoch?: string;
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
  const identity = `"contactId":${quote(contactId)},"phoneNumber":${quote(next.phoneNumber)}`;
  const add = (action: Action, payload: string, hashBefore: string, hashAfter: string, itemId?: string) => {
    const eventId = eventIdOf({ contactId, action, itemId, rev, hashBefore, hashAfter, content: `${options.timestamp}\u0000${payload}`, epoch: options.epoch });
    events.push({ eventId, action, body: envelope(eventId, options.timestamp, action, payload) });
  };

  const member = part(next.member);
  const memberBefore = known?.member?.hash ?? '';
  if (!known) add('benefits.member.registered', next.member, memberBefore, member.hash);
  else if (options.resend.has('members') || memberBefore !== member.hash) add('benefits.member.updated', next.member, memberBefore, member.hash);

  // A set is synced when it changed; a new member's empty set needs no event; backfill syncs every known set.
  const syncSet = (kind: ExportKind, action: Action, field: string, docs: readonly string[] | undefined, before: Part) => {
    if (docs === undefined) return;
    const after = docs.length === 0 ? EMPTY_SET : part(setText(docs));
    const changed = known ? after.hash !== before.hash : after.hash !== EMPTY_SET.hash;
    if (changed || options.resend.has(kind)) add(action, `{${identity},${quote(field)}:${after.text}}`, known ? before.hash : '', after.hash);
  };
  syncSet('coupons', 'benefits.coupons.synced', 'coupons', next.coupons, known?.coupons ?? EMPTY_SET);
  syncSet('stampCards', 'benefits.stampCards.synced', 'stampCards', next.stampCards, known?.stampCards ?? EMPTY_SET);

  if (next.bonusChecks) {
    const before = known ? bonusCheckDocs(known.bonusChecks) : new Map<string, string>();
    const after = new Map(next.bonusChecks.map((check) => [check.id, check.doc]));
    const removed = [...before].filter(([id, doc]) => after.get(id) !== doc);
    const added = [...after].filter(([id, doc]) => options.resend.has('bonusChecks') || before.get(id) !== doc);
    // A check whose content changed is replaced (there is no bonusCheck.updated): deleted, then created.
    for (const [id, doc] of removed) add('benefits.bonusCheck.deleted', `{${identity},"bonusCheckId":${quote(id)}}`, hashText(doc), '', id);
    for (const [id, doc] of added) add('benefits.bonusCheck.created', `{${identity},"bonusCheck":${doc}}`, hashText(before.get(id) ?? ''), hashText(doc), id);
  }

  const change = !known ? 'new' : events.length > 0 ? 'changed' : 'unchanged';
  return { contactId, change, events };
}

function memberDeleted(old: MemberState, { timestamp, epoch }: PlanOptions): PlannedEvent {
  const action = 'benefits.member.deleted';
  const payload = `{"contactId":${quote(old.contactId)},"phoneNumber":${quote(old.phoneNumber)}}`;
  const eventId = eventIdOf({ contactId: old.contactId, action, rev: old.rev, hashBefore: old.member?.hash ?? '', hashAfter: '', content: `${timestamp}\u0000${payload}`, epoch });
  return { eventId, action, body: envelope(eventId, timestamp, action, payload) };
}

function bonusCheckDocs(set: Part): Map<string, string> {
  if (set.text === undefined) throw new Error('bonus check set text not loaded');
  const checks = JSON.parse(set.text) as { bonusCheckId: string }[];
  return new Map(checks.map((check) => [check.bonusCheckId, JSON.stringify(check)]));
}

// The event id (`evt-` + a UUID), the timestamp (RFC 3339) and the action (a fixed name) never need JSON
// escaping; quoting them directly saves three JSON.stringify calls per event, at millions of events.
function envelope(eventId: string, timestamp: string, action: Action, payload: string): string {
  return `{"eventId":"${eventId}","timestamp":"${timestamp}","action":"${action}","payload":${payload}}`;
}
