// Schema version 5: the compact state file (issue 17). Measured at 100k members, version 4 kept 4.5 KB
// per member: accepted events' emptied rows (NULL bodies leave half-empty pages that are never given
// back), documents as plain JSON, history rows of text. Version 5:
// - bodies in a table of their own, deleted once not needed (accepted, or left by every open plan and not
//   in doubt): the pages they free are whole pages, reused or given back (auto_vacuum = INCREMENTAL);
// - the documents compressed, one blob per member (doc-codec.ts), beside a scan row of hashes only;
// - history rows of numbers: the id's 16 bytes, action and status codes, times in ms, the run by number.
// Shipped: never edit, append a migration.
import type { DatabaseSync } from 'node:sqlite';
import { buildDictionary, packDocuments, type MemberDocuments } from './doc-codec.ts';
import { eventKeySql, STORED_ACTIONS, STORED_STATUSES } from './outbox-codes.ts';

/** Members whose documents the first dictionary is built from. */
const DICTIONARY_SAMPLE = 500;

export function migrateToCompactState(db: DatabaseSync): void {
  const actionCode = `CASE o.action ${STORED_ACTIONS.map((action, code) => `WHEN '${action}' THEN ${code}`).join(' ')} END`;
  const statusCode = `CASE o.status ${STORED_STATUSES.map((status, code) => `WHEN '${status}' THEN ${code}`).join(' ')} END`;
  const ms = (column: string) => `CAST(round(unixepoch(${column}, 'subsec') * 1000) AS INTEGER)`;
  db.exec(`
  -- Runs get a number of their own (a rowid would change with VACUUM): history rows refer to it.
  CREATE TABLE runs_5 (
    seq          INTEGER PRIMARY KEY,
    run_id       TEXT NOT NULL UNIQUE,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,
    report_path  TEXT,
    summary      TEXT
  );
  INSERT INTO runs_5 (run_id, started_at, finished_at, status, report_path, summary)
    SELECT run_id, started_at, finished_at, status, report_path, summary FROM runs ORDER BY started_at, rowid;

  -- What every run scans, per member: hashes only (the documents are read for the few that changed).
  CREATE TABLE snapshot_5 (
    contact_id        TEXT PRIMARY KEY,
    rev               INTEGER NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    phone_number      TEXT NOT NULL,
    member_hash       TEXT,
    coupons_hash      TEXT NOT NULL,
    stamp_cards_hash  TEXT NOT NULL,
    bonus_checks_hash TEXT NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO snapshot_5 SELECT contact_id, rev, deleted, phone_number, member_hash, coupons_hash, stamp_cards_hash, bonus_checks_hash FROM snapshot;

  -- Per active member, its documents in one compressed blob (src/state/doc-codec.ts); a departed member has none.
  CREATE TABLE snapshot_docs_5 (
    contact_id  TEXT PRIMARY KEY,
    -- document_dictionaries.id, 0: compressed without one.
    dictionary  INTEGER NOT NULL,
    docs        BLOB NOT NULL
  ) WITHOUT ROWID;
  -- Preset dictionaries the blobs are compressed against; none holds personal data (doc-codec.ts).
  CREATE TABLE document_dictionaries (
    id            INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    bytes         BLOB NOT NULL,
    -- Compressed bytes per member of the batch it was built for: a later batch far above it gets a new one.
    member_bytes  REAL
  );

  CREATE TABLE outbox_events_5 (
    -- The order events were planned in.
    seq          INTEGER PRIMARY KEY,
    -- The UUID's 16 bytes of an id \`evt-<uuid>\` (src/state/outbox-codes.ts); any other id as text.
    event_id     BLOB NOT NULL UNIQUE,
    contact_id   TEXT NOT NULL,
    -- STORED_ACTIONS index.
    action       INTEGER NOT NULL,
    -- 0 pending, 1 accepted, 2 failed.
    status       INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER,
    last_error   TEXT,
    -- runs.seq
    planned_run  INTEGER,
    -- ms since 1970.
    planned_at   INTEGER NOT NULL,
    accepted_at  INTEGER,
    -- 1: sent, not accepted, and the API may have applied it (see migration 4).
    in_doubt     INTEGER NOT NULL DEFAULT 0,
    -- A coupon or stamp-card event: SET_EVENT_BASES index (why it is a replacement or per item).
    basis        INTEGER
  );
  INSERT INTO outbox_events_5 (event_id, contact_id, action, status, attempts, last_status, last_error, planned_run, planned_at, accepted_at, in_doubt)
    SELECT ${eventKeySql('o.event_id')}, o.contact_id, ${actionCode}, ${statusCode}, o.attempts, o.last_status, o.last_error, r.seq,
           ${ms('o.planned_at')}, ${ms('o.accepted_at')}, o.in_doubt
    FROM outbox_events o LEFT JOIN runs_5 r ON r.run_id = o.planned_run ORDER BY o.planned_at, o.rowid;
  -- The exact bytes to send, while an event may still be sent: pending in an open plan, or in doubt.
  CREATE TABLE outbox_bodies (
    seq   INTEGER PRIMARY KEY REFERENCES outbox_events_5 (seq) ON DELETE CASCADE,
    body  TEXT NOT NULL
  );
  INSERT INTO outbox_bodies (seq, body)
    SELECT n.seq, o.body FROM outbox_events o JOIN outbox_events_5 n ON n.event_id = ${eventKeySql('o.event_id')} WHERE o.body IS NOT NULL;
  `);
  migrateDocuments(db);
  db.exec(`
  DROP TABLE snapshot;
  DROP TABLE snapshot_docs;
  DROP TABLE outbox_events;
  DROP TABLE runs;
  ALTER TABLE snapshot_5 RENAME TO snapshot;
  ALTER TABLE snapshot_docs_5 RENAME TO snapshot_docs;
  ALTER TABLE outbox_events_5 RENAME TO outbox_events;
  ALTER TABLE runs_5 RENAME TO runs;
  -- A member's history in planning order (explain, forget, the scrub of a departed member).
  CREATE INDEX outbox_events_by_contact ON outbox_events (contact_id);
  CREATE INDEX outbox_events_in_doubt ON outbox_events (contact_id) WHERE in_doubt = 1;
  `);
}

function migrateDocuments(db: DatabaseSync): void {
  const rows = db.prepare(`
    SELECT s.contact_id AS contactId, d.member_doc AS member, d.coupons_doc AS coupons, d.stamp_cards_doc AS stampCards, s.bonus_checks_doc AS bonusChecks
    FROM snapshot s JOIN snapshot_docs d USING (contact_id) WHERE s.deleted = 0 ORDER BY s.contact_id`);
  const documentsOf = (row: Record<string, string | null>): MemberDocuments => ({
    ...(row.member !== null && { member: row.member! }),
    coupons: row.coupons!,
    stampCards: row.stampCards!,
    bonusChecks: row.bonusChecks!,
  });
  const sample: MemberDocuments[] = [];
  for (const row of rows.iterate()) {
    sample.push(documentsOf(row as Record<string, string | null>));
    if (sample.length >= DICTIONARY_SAMPLE) break;
  }
  const dictionary = buildDictionary(sample);
  let dictionaryId = 0;
  if (dictionary) {
    dictionaryId = Number(db.prepare('INSERT INTO document_dictionaries (created_at, bytes) VALUES (?, ?)').run(new Date().toISOString(), dictionary).lastInsertRowid);
  }
  const insert = db.prepare('INSERT INTO snapshot_docs_5 (contact_id, dictionary, docs) VALUES (?, ?, ?)');
  let bytes = 0;
  let members = 0;
  for (const row of rows.iterate()) {
    const { contactId, ...documents } = row as Record<string, string | null>;
    const blob = packDocuments(documentsOf(documents), dictionary);
    insert.run(contactId!, dictionaryId, blob);
    bytes += blob.length;
    members++;
  }
  if (dictionaryId !== 0) db.prepare('UPDATE document_dictionaries SET member_bytes = ? WHERE id = ?').run(bytes / members, dictionaryId);
}
