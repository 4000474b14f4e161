// What a plan lane in a worker thread planned, in a throwaway SQLite file in the staging folder: the
// worker cannot write the state file's outbox (the main thread holds its one write transaction), so the
// main thread adds the lane's plans to the outbox from here, in key order, after its own lane. Its
// orphan rows' rejects too, in the order found: the run then records everything as one lane would.
import { DatabaseSync } from 'node:sqlite';
import type { Reject } from '../base/export-shapes.ts';
import type { PlannedEvent } from '../base/run-shapes.ts';
import type { Resolutions } from './outbox.ts';
import { UNTUNED } from './staging.ts';

export interface LanePlan {
  contactId: string;
  events: PlannedEvent[];
  resolves: Resolutions;
}

export interface LanePlansWriter {
  addPlan(plan: LanePlan): void;
  addOrphanReject(reject: Reject): void;
  close(): void;
}

export function writeLanePlans(path: string): LanePlansWriter {
  const db = new DatabaseSync(path);
  // One row per event (a body as it is, no JSON around it); a member's resolutions on its first event.
  db.exec(`${UNTUNED}
    CREATE TABLE events (contact_id TEXT NOT NULL, n INTEGER NOT NULL, event_id TEXT NOT NULL, action TEXT NOT NULL, basis TEXT,
      body TEXT NOT NULL, resolves TEXT, PRIMARY KEY (contact_id, n)) WITHOUT ROWID;
    CREATE TABLE orphan_rejects (seq INTEGER PRIMARY KEY, reject TEXT NOT NULL);
    BEGIN;`);
  const insertEvent = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertReject = db.prepare('INSERT INTO orphan_rejects (reject) VALUES (?)');
  return {
    addPlan({ contactId, events, resolves }) {
      const resolving = Object.keys(resolves).length > 0 ? JSON.stringify(resolves) : null;
      events.forEach((event, n) => insertEvent.run(contactId, n, event.eventId, event.action, event.basis ?? null, event.body, n === 0 ? resolving : null));
    },
    addOrphanReject(reject) {
      insertReject.run(JSON.stringify(reject));
    },
    close() {
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}

/** The lane's plans in contact_id order, then its orphan rows' rejects in the order they were found. */
export function readLanePlans(path: string): { plans(): Iterable<LanePlan>; orphanRejects(): Iterable<Reject>; close(): void } {
  const db = new DatabaseSync(path, { readOnly: true });
  return {
    *plans() {
      let plan: LanePlan | undefined;
      const rows = db.prepare('SELECT contact_id, event_id, action, basis, body, resolves FROM events ORDER BY contact_id, n');
      for (const row of rows.iterate() as Iterable<{ contact_id: string; event_id: string; action: PlannedEvent['action']; basis: PlannedEvent['basis'] | null; body: string; resolves: string | null }>) {
        if (plan?.contactId !== row.contact_id) {
          if (plan) yield plan;
          plan = { contactId: row.contact_id, events: [], resolves: row.resolves === null ? {} : (JSON.parse(row.resolves) as Resolutions) };
        }
        plan.events.push({ eventId: row.event_id, action: row.action, body: row.body, ...(row.basis !== null && { basis: row.basis }) });
      }
      if (plan) yield plan;
    },
    *orphanRejects() {
      for (const row of db.prepare('SELECT reject FROM orphan_rejects ORDER BY seq').iterate() as Iterable<{ reject: string }>) yield JSON.parse(row.reject) as Reject;
    },
    close: () => db.close(),
  };
}
