// The outbox: every planned event with its exact body, written before anything is sent, so that a crash
// at any point is resumed by re-sending the same bytes under the same event ids. Text from outside (an
// API's error, a failure's detail) is redacted before it is stored (src/privacy/): the state file lives
// for years on a volume, and an API may echo the credentials or phone numbers it was sent.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Action } from '../api/events.ts';
import type { PlannedEvent } from '../plan/plan-member.ts';
import { redactStrings, redactText } from '../privacy/redact.ts';

export type EventStatus = 'pending' | 'accepted' | 'failed';

export interface OutboxEvent {
  eventId: string;
  contactId: string;
  action: Action;
  /** Null once the event was accepted. */
  body: string | null;
  status: EventStatus;
}

export interface MemberDelivery {
  contactId: string;
  /** The member's current plan, in send order. Events already accepted are skipped by the sender. */
  events: OutboxEvent[];
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
}

export interface Outbox {
  /**
   * Adds a member's plan. An event id planned before keeps its first body and status: the same transition
   * re-planned later is sent byte-identical, and is not sent at all when it was already accepted.
   */
  addPlan(contactId: string, events: readonly PlannedEvent[], runId: string, at: string): void;
  /** Pending member plans in contact_id order, a page at a time (keyset pagination). */
  pendingPage(afterContactId: string, limit: number): MemberDelivery[];
  pendingMemberCount(): number;
  /** What sending one event came to, after all its attempts. */
  recordResult(eventId: string, result: SendRecord, at: string): void;
  /** Ends a member's plan: delivered (row removed) or failed (kept with the reason for the report). */
  settleMember(contactId: string, failure: MemberFailure | undefined): void;
  /** Forgets failed plans: the next planning pass re-plans those members from the snapshot. */
  clearFailedPlans(): void;
  /**
   * Forgets events planned before `before` that are settled: accepted, or left out of every open plan.
   * Their pages are reused by later nights, so the state file stops growing.
   */
  prune(before: string): number;
  /**
   * Empties the body and error text of a member's events outside every open plan (a departed member's
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
  status: EventStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  plannedRun: string;
  plannedAt: string;
  acceptedAt: string | null;
}

export function outboxStore(db: DatabaseSync): Outbox {
  const cache = new Map<string, StatementSync>();
  const statement = (sql: string) => {
    let prepared = cache.get(sql);
    if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
    return prepared;
  };
  return {
    addPlan(contactId, events, runId, at) {
      const insertEvent = statement(
        `INSERT INTO outbox_events (event_id, contact_id, action, body, planned_run, planned_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      );
      for (const event of events) insertEvent.run(event.eventId, contactId, event.action, event.body, runId, at);
      statement(
        `INSERT INTO outbox_members (contact_id, run_id, status, event_ids) VALUES (?, ?, 'pending', ?)
         ON CONFLICT (contact_id) DO UPDATE SET run_id = excluded.run_id, status = 'pending', event_ids = excluded.event_ids, failure = NULL`,
      ).run(contactId, runId, JSON.stringify(events.map((event) => event.eventId)));
    },
    pendingPage(afterContactId, limit) {
      const members = statement(
        `SELECT contact_id, event_ids FROM outbox_members WHERE status = 'pending' AND contact_id > ? ORDER BY contact_id LIMIT ?`,
      ).all(afterContactId, limit) as { contact_id: string; event_ids: string }[];
      const load = statement('SELECT event_id AS eventId, contact_id AS contactId, action, body, status FROM outbox_events WHERE event_id = ?');
      return members.map((member) => ({
        contactId: member.contact_id,
        events: (JSON.parse(member.event_ids) as string[]).map((id) => load.get(id) as unknown as OutboxEvent),
      }));
    },
    pendingMemberCount() {
      return (statement(`SELECT count(*) AS n FROM outbox_members WHERE status = 'pending'`).get() as { n: number }).n;
    },
    recordResult(eventId, result, at) {
      statement(
        // An accepted event's body is never sent again (the sender skips accepted events): drop it, the
        // outbox would otherwise grow by every event ever sent.
        `UPDATE outbox_events SET attempts = attempts + ?, last_status = ?, last_error = ?, status = ?,
           accepted_at = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_at END,
           body = CASE WHEN ? = 'accepted' THEN NULL ELSE body END WHERE event_id = ?`,
      ).run(
        result.attempts,
        result.httpStatus ?? null,
        result.error === undefined ? null : redactText(result.error),
        result.accepted ? 'accepted' : 'failed',
        result.accepted ? 'accepted' : 'failed',
        at,
        result.accepted ? 'accepted' : 'failed',
        eventId,
      );
    },
    settleMember(contactId, failure) {
      if (!failure) statement('DELETE FROM outbox_members WHERE contact_id = ?').run(contactId);
      else statement(`UPDATE outbox_members SET status = 'failed', failure = ? WHERE contact_id = ?`).run(JSON.stringify(redactStrings(failure)), contactId);
    },
    clearFailedPlans() {
      statement(`DELETE FROM outbox_members WHERE status = 'failed'`).run();
    },
    prune(before) {
      return Number(
        statement(
          `DELETE FROM outbox_events WHERE planned_at < ? AND (status = 'accepted'
             OR event_id NOT IN (SELECT value FROM outbox_members, json_each(outbox_members.event_ids)))`,
        ).run(before).changes,
      );
    },
    scrubHistory(contactId) {
      statement(
        `UPDATE outbox_events SET body = NULL, last_error = NULL WHERE contact_id = ? AND (body IS NOT NULL OR last_error IS NOT NULL)
           AND event_id NOT IN (SELECT value FROM outbox_members, json_each(outbox_members.event_ids))`,
      ).run(contactId);
    },
    history(contactId) {
      const events = statement(
        `SELECT event_id AS eventId, action, status, attempts, last_status AS lastStatus, last_error AS lastError,
                planned_run AS plannedRun, planned_at AS plannedAt, accepted_at AS acceptedAt
         FROM outbox_events WHERE contact_id = ? ORDER BY planned_at, rowid`,
      ).all(contactId) as unknown as EventHistory[];
      const row = statement('SELECT run_id, status, event_ids, failure FROM outbox_members WHERE contact_id = ?').get(contactId) as
        | { run_id: string; status: string; event_ids: string; failure: string | null }
        | undefined;
      const plan = row && { runId: row.run_id, status: row.status, eventIds: JSON.parse(row.event_ids) as string[], ...(row.failure && { failure: JSON.parse(row.failure) as MemberFailure }) };
      return { events, ...(plan && { plan }) };
    },
  };
}
