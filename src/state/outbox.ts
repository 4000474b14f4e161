// The outbox: every planned event with its exact body, written before anything is sent, so that a crash
// at any point is resumed by re-sending the same bytes under the same event ids. Text from outside (an
// API's error, a failure's detail) is redacted before it is stored (src/privacy/): the state file lives
// for years on a volume, and an API may echo the credentials or phone numbers it was sent.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Action } from '../base/actions.ts';
import type { SetEventBasis } from '../base/item-events.ts';
import type { PlannedEvent } from '../base/run-shapes.ts';
import { redactStrings, redactText } from '../privacy/redact.ts';
import { releaseFreePages } from './store.ts';
import { actionCode, actionOfCode, basisCode, basisOfCode, eventIdOfKey, eventKey, eventKeySql, STATUS_CODE, type EventStatus, STORED_STATUSES, storedTime, timeOfStored } from './outbox-codes.ts';

/** What a failed send says about the event's effect (see src/deliver/send-event.ts). */
export type SendOutcome = 'refused' | 'unknown' | 'not-delivered';

/** Doubtful events a plan overrides rather than re-sends: accepted `eventId` → the ids in doubt it resolves. */
export type Resolutions = Readonly<Record<string, readonly string[]>>;


export interface OutboxEvent {
  eventId: string;
  contactId: string;
  action: Action;
  /** Null once the event was accepted (bodies are kept only while they may be sent). */
  body: string | null;
  status: EventStatus;
}

export interface MemberDelivery {
  contactId: string;
  /** The member's current plan, in send order. Events already accepted are skipped by the sender. */
  events: OutboxEvent[];
  resolves: Resolutions;
}

export interface MemberFailure {
  eventId: string;
  action: Action;
  status?: number;
  code: string;
  detail: string;
}

export interface SendRecord {
  accepted: boolean;
  attempts: number;
  httpStatus?: number;
  error?: string;
  /** For a failed send: whether the API may have applied it anyway (an event in doubt). */
  outcome?: SendOutcome;
}

export interface Outbox {
  /**
   * Adds a member's plan. An event id planned before keeps its first body and status: the same transition
   * re-planned later is sent byte-identical, and is not sent at all when it was already accepted.
   */
  addPlan(contactId: string, events: readonly PlannedEvent[], runId: string, at: string, resolves?: Resolutions): void;
  /** Pending member plans in contact_id order, a page at a time (keyset pagination). */
  pendingPage(afterContactId: string, limit: number): MemberDelivery[];
  pendingMemberCount(): number;
  /** Events of the pending plans not accepted yet: what the next delivery sends. */
  pendingEventCount(): number;
  /**
   * What sending one event came to, after all its attempts. It is in doubt from a send whose outcome is
   * `unknown` until one is accepted or refused (a send that reached nobody changes nothing).
   */
  recordResult(eventId: string, result: SendRecord, at: string): void;
  /** Every event in doubt (or one contact's), by contact, in the order they were planned (= the order they were sent). */
  eventsInDoubt(contactId?: string): Map<string, PlannedEvent[]>;
  /** These events in doubt no longer matter: an accepted later event overrode whatever they did. */
  resolveDoubts(eventIds: readonly string[]): void;
  /** Ends a member's plan: delivered (row removed) or failed (kept with the reason for the report). */
  closePlan(contactId: string, failure: MemberFailure | undefined): void;
  /** Forgets failed plans: the next planning pass re-plans those members from the snapshot. */
  clearFailedPlans(): void;
  /**
   * Forgets events planned before `before` that are done with: accepted, or left out of every open plan
   * and not in doubt, and gives free pages back once they are many (store.ts releaseFreePages): the file
   * stops growing, and shrinks after a first night's bodies or a pruned history. Returns the events pruned.
   */
  prune(before: string): number;
  /**
   * Drops the body and error text of a member's events outside every open plan (a departed member's
   * history keeps what was sent when, not what it said). Their ids are never planned again: a member's
   * later events carry a higher commit count.
   */
  scrubHistory(contactId: string): void;
  /** Every event planned for a member, oldest first, and its current plan (for `explain`). */
  history(contactId: string): { events: EventHistory[]; plan?: { runId: string; status: string; eventIds: string[]; failure?: MemberFailure } };
}

export interface EventHistory {
  eventId: string;
  action: Action;
  /** A coupon or stamp-card event: why it was a full replacement or a per-item event (`--item-events`). */
  basis?: SetEventBasis;
  status: EventStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  plannedRun: string;
  plannedAt: string;
  acceptedAt: string | null;
}

// Bodies live in `outbox_bodies` only while they may be sent: pending in an open plan, or in doubt. An
// accepted event's body is deleted at once; one left by every open plan (a failed plan cleared, a member
// who left) when its plan goes. Deleted rows free whole pages, which later nights reuse.
const openPlanKeys = (ofContact: boolean) =>
  `SELECT ${eventKeySql('value')} FROM outbox_members, json_each(outbox_members.event_ids)${ofContact ? ' WHERE outbox_members.contact_id = ?1' : ''}`;

interface HistoryRow {
  event_id: Uint8Array | string;
  action: number;
  basis: number | null;
  status: number;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  run_id: string | null;
  planned_at: number;
  accepted_at: number | null;
}

export function outboxStore(db: DatabaseSync): Outbox {
  const cache = new Map<string, StatementSync>();
  const statement = (sql: string) => {
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  };
  const runSeqs = new Map<string, number | null>();
  const runSeqOf = (runId: string) => {
    if (!runSeqs.has(runId)) runSeqs.set(runId, (statement('SELECT seq FROM runs WHERE run_id = ?').get(runId) as { seq: number } | undefined)?.seq ?? null);
    return runSeqs.get(runId)!;
  };
  /** Deletes the bodies of a member's events (or everyone's) that are not in doubt and in no open plan. */
  const dropUnneededBodies = (contactId?: string) => {
    if (contactId === undefined) {
      statement(`DELETE FROM outbox_bodies WHERE seq IN (SELECT e.seq FROM outbox_bodies b JOIN outbox_events e USING (seq) WHERE e.in_doubt = 0 AND e.event_id NOT IN (${openPlanKeys(false)}))`).run();
    } else {
      // An event is in its own member's plan only: the member's plan is all there is to look at.
      statement(`DELETE FROM outbox_bodies WHERE seq IN (SELECT e.seq FROM outbox_events e WHERE e.contact_id = ?1 AND e.in_doubt = 0 AND e.event_id NOT IN (${openPlanKeys(true)}))`).run(contactId);
    }
  };
  return {
    addPlan(contactId, events, runId, at, resolves) {
      const plannedAt = storedTime(at);
      const plannedRun = runSeqOf(runId);
      for (const event of events) {
        const key = eventKey(event.eventId);
        const inserted = statement(
          `INSERT INTO outbox_events (event_id, contact_id, action, planned_run, planned_at, basis) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (event_id) DO NOTHING RETURNING seq`,
        ).get(key, contactId, actionCode(event.action), plannedRun, plannedAt, basisCode(event.basis)) as { seq: number } | undefined;
        // A transition planned before keeps its row; it gets its body back (the same bytes: the body is in
        // the id) unless it was accepted, when the sender skips it.
        if (inserted) statement('INSERT INTO outbox_bodies (seq, body) VALUES (?, ?)').run(inserted.seq, event.body);
        else {
          statement(
            `INSERT INTO outbox_bodies (seq, body) SELECT seq, ? FROM outbox_events WHERE event_id = ? AND status != ${STATUS_CODE.accepted} ON CONFLICT (seq) DO NOTHING`,
          ).run(event.body, key);
        }
      }
      const resolving = resolves && Object.keys(resolves).length > 0 ? JSON.stringify(resolves) : null;
      statement(
        `INSERT INTO outbox_members (contact_id, run_id, status, event_ids, resolves) VALUES (?, ?, 'pending', ?, ?)
         ON CONFLICT (contact_id) DO UPDATE SET run_id = excluded.run_id, status = 'pending', event_ids = excluded.event_ids,
           resolves = excluded.resolves, failure = NULL`,
      ).run(contactId, runId, JSON.stringify(events.map((event) => event.eventId)), resolving);
    },
    pendingPage(afterContactId, limit) {
      const members = statement(
        `SELECT contact_id, event_ids, resolves FROM outbox_members WHERE status = 'pending' AND contact_id > ? ORDER BY contact_id LIMIT ?`,
      ).all(afterContactId, limit) as { contact_id: string; event_ids: string; resolves: string | null }[];
      const load = statement('SELECT e.contact_id, e.action, e.status, b.body FROM outbox_events e LEFT JOIN outbox_bodies b USING (seq) WHERE e.event_id = ?');
      return members.map((member) => ({
        contactId: member.contact_id,
        events: (JSON.parse(member.event_ids) as string[]).map((eventId) => {
          const row = load.get(eventKey(eventId)) as { contact_id: string; action: number; status: number; body: string | null };
          return { eventId, contactId: row.contact_id, action: actionOfCode(row.action), status: STORED_STATUSES[row.status]!, body: row.body };
        }),
        resolves: member.resolves ? (JSON.parse(member.resolves) as Resolutions) : {},
      }));
    },
    pendingMemberCount() {
      return (statement(`SELECT count(*) AS n FROM outbox_members WHERE status = 'pending'`).get() as { n: number }).n;
    },
    pendingEventCount() {
      return (
        statement(
          `SELECT count(*) AS n FROM outbox_members AS m, json_each(m.event_ids) AS planned JOIN outbox_events AS e ON e.event_id = ${eventKeySql('planned.value')}
           WHERE m.status = 'pending' AND e.status <> ${STATUS_CODE.accepted}`,
        ).get() as { n: number }
      ).n;
    },
    recordResult(eventId, result, at) {
      // in_doubt: cleared by an acceptance or a refusal, set by an unknown outcome, else kept as it was.
      const doubt = result.accepted || result.outcome === 'refused' ? 0 : result.outcome === 'unknown' ? 1 : null;
      const status = result.accepted ? STATUS_CODE.accepted : STATUS_CODE.failed;
      const row = statement(
        `UPDATE outbox_events SET attempts = attempts + ?1, last_status = ?2, last_error = ?3, status = ?4,
           accepted_at = CASE WHEN ?4 = ${STATUS_CODE.accepted} THEN ?5 ELSE accepted_at END,
           in_doubt = coalesce(?6, in_doubt) WHERE event_id = ?7 RETURNING seq`,
      ).get(result.attempts, result.httpStatus ?? null, result.error === undefined ? null : redactText(result.error), status, storedTime(at), doubt, eventKey(eventId)) as
        | { seq: number }
        | undefined;
      // An accepted event is never sent again (the sender skips accepted events): its body goes now.
      if (row && result.accepted) statement('DELETE FROM outbox_bodies WHERE seq = ?').run(row.seq);
    },
    eventsInDoubt(contactId) {
      const select = `SELECT e.contact_id, e.event_id, e.action, e.basis, b.body FROM outbox_events e JOIN outbox_bodies b USING (seq) WHERE e.in_doubt = 1`;
      const order = 'ORDER BY e.contact_id, e.seq';
      const rows = (contactId === undefined ? statement(`${select} ${order}`).all() : statement(`${select} AND e.contact_id = ? ${order}`).all(contactId)) as {
        contact_id: string;
        event_id: Uint8Array | string;
        action: number;
        basis: number | null;
        body: string;
      }[];
      const byContact = new Map<string, PlannedEvent[]>();
      for (const row of rows) {
        const basis = basisOfCode(row.basis);
        const event: PlannedEvent = { eventId: eventIdOfKey(row.event_id), action: actionOfCode(row.action), body: row.body, ...(basis && { basis }) };
        const events = byContact.get(row.contact_id);
        if (events) events.push(event);
        else byContact.set(row.contact_id, [event]);
      }
      return byContact;
    },
    resolveDoubts(eventIds) {
      const resolve = statement('UPDATE outbox_events SET in_doubt = 0 WHERE event_id = ?');
      for (const eventId of eventIds) resolve.run(eventKey(eventId));
    },
    closePlan(contactId, failure) {
      if (failure) {
        statement(`UPDATE outbox_members SET status = 'failed', failure = ? WHERE contact_id = ?`).run(JSON.stringify(redactStrings(failure)), contactId);
        return;
      }
      statement('DELETE FROM outbox_members WHERE contact_id = ?').run(contactId);
      // What is left are bodies of events in doubt that an accepted event overrode, and of earlier failures.
      dropUnneededBodies(contactId);
    },
    clearFailedPlans() {
      statement(`DELETE FROM outbox_members WHERE status = 'failed'`).run();
      dropUnneededBodies();
    },
    prune(before) {
      const threshold = storedTime(before);
      // Events were planned in seq order, so the old ones are a prefix: the scan stops at the first young one.
      const young = statement('SELECT seq FROM outbox_events WHERE planned_at >= ? ORDER BY seq LIMIT 1').get(threshold) as { seq: number } | undefined;
      const pruned = statement(
        `DELETE FROM outbox_events WHERE seq < ? AND planned_at < ? AND in_doubt = 0 AND (status = ${STATUS_CODE.accepted} OR event_id NOT IN (${openPlanKeys(false)}))`,
      ).run(young?.seq ?? Number.MAX_SAFE_INTEGER, threshold).changes;
      releaseFreePages(db);
      return Number(pruned);
    },
    scrubHistory(contactId) {
      statement(`UPDATE outbox_events SET last_error = NULL WHERE contact_id = ?1 AND last_error IS NOT NULL AND in_doubt = 0 AND event_id NOT IN (${openPlanKeys(true)})`).run(contactId);
      dropUnneededBodies(contactId);
    },
    history(contactId) {
      const rows = statement(
        `SELECT e.event_id, e.action, e.basis, e.status, e.attempts, e.last_status, e.last_error, r.run_id, e.planned_at, e.accepted_at
         FROM outbox_events e LEFT JOIN runs r ON r.seq = e.planned_run WHERE e.contact_id = ? ORDER BY e.seq`,
      ).all(contactId) as unknown as HistoryRow[];
      const events = rows.map((row): EventHistory => {
        const basis = basisOfCode(row.basis);
        return {
          eventId: eventIdOfKey(row.event_id),
          action: actionOfCode(row.action),
          ...(basis && { basis }),
          status: STORED_STATUSES[row.status]!,
          attempts: row.attempts,
          lastStatus: row.last_status,
          lastError: row.last_error,
          plannedRun: row.run_id ?? '',
          plannedAt: timeOfStored(row.planned_at),
          acceptedAt: row.accepted_at === null ? null : timeOfStored(row.accepted_at),
        };
      });
      const row = statement('SELECT run_id, status, event_ids, failure FROM outbox_members WHERE contact_id = ?').get(contactId) as
        | { run_id: string; status: string; event_ids: string; failure: string | null }
        | undefined;
      const plan = row && { runId: row.run_id, status: row.status, eventIds: JSON.parse(row.event_ids) as string[], ...(row.failure && { failure: JSON.parse(row.failure) as MemberFailure }) };
      return { events, ...(plan && { plan }) };
    },
  };
}
