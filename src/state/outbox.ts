// The outbox: every planned event with its exact body, written before anything is sent, so that a crash
// at any point is resumed by re-sending the same bytes under the same event ids. Text from outside (an
// API's error, a failure's detail) is redacted before it is stored (src/privacy/): the state file lives
// for years on a volume, and an API may echo the credentials or phone numbers it was sent.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Action } from '../base/actions.ts';
import type { PlannedEvent } from '../base/run-shapes.ts';
import { redactStrings, redactText } from '../privacy/redact.ts';

/** What a failed send says about the event's effect (see src/deliver/send-event.ts). */
export type SendOutcome = 'refused' | 'unknown' | 'not-delivered';

/** Doubtful events a plan overrides rather than re-sends: accepted `eventId` → the ids in doubt it resolves. */
export type Resolutions = Readonly<Record<string, readonly string[]>>;

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
  /** Every event in doubt, by contact, in the order they were planned (= the order they were sent). */
  eventsInDoubt(): Map<string, PlannedEvent[]>;
  /** These events in doubt no longer matter: an accepted later event overrode whatever they did. */
  resolveDoubts(eventIds: readonly string[]): void;
  /** Ends a member's plan: delivered (row removed) or failed (kept with the reason for the report). */
  closePlan(contactId: string, failure: MemberFailure | undefined): void;
  /** Forgets failed plans: the next planning pass re-plans those members from the snapshot. */
  clearFailedPlans(): void;
  /**
   * Forgets events planned before `before` that are done with: accepted, or left out of every open plan
   * and not in doubt. Their pages are reused by later nights, so the state file stops growing.
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
    addPlan(contactId, events, runId, at, resolves) {
      const insertEvent = statement(
        `INSERT INTO outbox_events (event_id, contact_id, action, body, planned_run, planned_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO NOTHING`,
      );
      for (const event of events) insertEvent.run(event.eventId, contactId, event.action, event.body, runId, at);
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
      const load = statement('SELECT event_id AS eventId, contact_id AS contactId, action, body, status FROM outbox_events WHERE event_id = ?');
      return members.map((member) => ({
        contactId: member.contact_id,
        events: (JSON.parse(member.event_ids) as string[]).map((id) => load.get(id) as unknown as OutboxEvent),
        resolves: member.resolves ? (JSON.parse(member.resolves) as Resolutions) : {},
      }));
    },
    pendingMemberCount() {
      return (statement(`SELECT count(*) AS n FROM outbox_members WHERE status = 'pending'`).get() as { n: number }).n;
    },
    pendingEventCount() {
      return (
        statement(
          `SELECT count(*) AS n FROM outbox_members AS m, json_each(m.event_ids) AS planned JOIN outbox_events AS e ON e.event_id = planned.value
           WHERE m.status = 'pending' AND e.status <> 'accepted'`,
        ).get() as { n: number }
      ).n;
    },
    recordResult(eventId, result, at) {
      // in_doubt: cleared by an acceptance or a refusal, set by an unknown outcome, else kept as it was.
      const doubt = result.accepted || result.outcome === 'refused' ? 0 : result.outcome === 'unknown' ? 1 : null;
      statement(
        // An accepted event's body is never sent again (the sender skips accepted events): drop it, the
        // outbox would otherwise grow by every event ever sent.
        `UPDATE outbox_events SET attempts = attempts + ?, last_status = ?, last_error = ?, status = ?,
           accepted_at = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_at END,
           body = CASE WHEN ? = 'accepted' THEN NULL ELSE body END,
           in_doubt = coalesce(?, in_doubt) WHERE event_id = ?`,
      ).run(
        result.attempts,
        result.httpStatus ?? null,
        result.error === undefined ? null : redactText(result.error),
        result.accepted ? 'accepted' : 'failed',
        result.accepted ? 'accepted' : 'failed',
        at,
        result.accepted ? 'accepted' : 'failed',
        doubt,
        eventId,
      );
    },
    eventsInDoubt() {
      const rows = statement(
        `SELECT contact_id AS contactId, event_id AS eventId, action, body FROM outbox_events WHERE in_doubt = 1 ORDER BY contact_id, rowid`,
      ).all() as unknown as (PlannedEvent & { contactId: string })[];
      const byContact = new Map<string, PlannedEvent[]>();
      for (const { contactId, ...event } of rows) byContact.set(contactId, [...(byContact.get(contactId) ?? []), event]);
      return byContact;
    },
    resolveDoubts(eventIds) {
      const resolve = statement('UPDATE outbox_events SET in_doubt = 0 WHERE event_id = ?');
      for (const eventId of eventIds) resolve.run(eventId);
    },
    closePlan(contactId, failure) {
      if (!failure) statement('DELETE FROM outbox_members WHERE contact_id = ?').run(contactId);
      else statement(`UPDATE outbox_members SET status = 'failed', failure = ? WHERE contact_id = ?`).run(JSON.stringify(redactStrings(failure)), contactId);
    },
    clearFailedPlans() {
      statement(`DELETE FROM outbox_members WHERE status = 'failed'`).run();
    },
    prune(before) {
      return Number(
        statement(
          `DELETE FROM outbox_events WHERE planned_at < ? AND in_doubt = 0 AND (status = 'accepted'
             OR event_id NOT IN (SELECT value FROM outbox_members, json_each(outbox_members.event_ids)))`,
        ).run(before).changes,
      );
    },
    scrubHistory(contactId) {
      statement(
        `UPDATE outbox_events SET body = NULL, last_error = NULL WHERE contact_id = ? AND in_doubt = 0 AND (body IS NOT NULL OR last_error IS NOT NULL)
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
