// The state file's schema, versioned with `PRAGMA user_version`. Append a migration; never edit one
// that has shipped, because state files in the field are at that version. A migration is SQL, or a
// function where rows must be rewritten by code (version 5 compresses documents).
import type { DatabaseSync } from 'node:sqlite';
import { migrateToCompactState } from './migration-5.ts';

export type Migration = string | ((db: DatabaseSync) => void);

export const MIGRATIONS: readonly Migration[] = [
  // 1: snapshot, outbox, runs.
  `
  -- What the API has accepted, per member (src/plan/member-state.ts). Sets are canonical JSON arrays,
  -- '[]' when empty or never sent. A deleted member stays as a tombstone so that its revision keeps
  -- counting (see src/plan/event-id.ts).
  -- Small rows, clustered by contact_id: what every run scans (hashes; bonus checks are diffed by id).
  CREATE TABLE snapshot (
    contact_id        TEXT PRIMARY KEY,
    rev               INTEGER NOT NULL,
    deleted           INTEGER NOT NULL DEFAULT 0,
    phone_number      TEXT NOT NULL,
    member_hash       TEXT,
    coupons_hash      TEXT NOT NULL,
    stamp_cards_hash  TEXT NOT NULL,
    bonus_checks_hash TEXT NOT NULL,
    bonus_checks_doc  TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    updated_run       TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The large documents, read only for one member at a time (commit, explain). A rowid table: SQLite
  -- stores big rows better there than in a WITHOUT ROWID b-tree.
  CREATE TABLE snapshot_docs (
    contact_id       TEXT NOT NULL UNIQUE,
    member_doc       TEXT,
    coupons_doc      TEXT NOT NULL,
    stamp_cards_doc  TEXT NOT NULL
  );

  -- Every planned event with its exact body, written before anything is sent (README "Guarantees": at-least-once).
  CREATE TABLE outbox_events (
    event_id     TEXT PRIMARY KEY,
    contact_id   TEXT NOT NULL,
    action       TEXT NOT NULL,
    -- The exact bytes to send; emptied once accepted (only the id, action and outcome are kept).
    body         TEXT,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER,
    last_error   TEXT,
    planned_run  TEXT NOT NULL,
    planned_at   TEXT NOT NULL,
    accepted_at  TEXT
  );
  CREATE INDEX outbox_events_by_contact ON outbox_events (contact_id, planned_at);

  -- The current delivery plan per member: its event ids, in order.
  CREATE TABLE outbox_members (
    contact_id  TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'failed')),
    event_ids   TEXT NOT NULL,
    failure     TEXT
  ) WITHOUT ROWID;

  CREATE TABLE runs (
    run_id       TEXT PRIMARY KEY,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    status       TEXT NOT NULL,
    report_path  TEXT,
    summary      TEXT
  );

  -- One run at a time per state file (src/state/run-lock.ts). At most one row.
  CREATE TABLE run_lock (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    run_id        TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    host          TEXT NOT NULL,
    acquired_at   TEXT NOT NULL,
    heartbeat_at  INTEGER NOT NULL
  );
  `,
  // 2: the ledger of files a drop folder has processed (src/state/ledger.ts).
  `
  -- One row per processed source file: a file with the same name and content (sha256) is not processed
  -- again; a re-upload under the same name with other content is. Only succeeded and partial runs record.
  CREATE TABLE source_files (
    name          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    bytes         INTEGER NOT NULL,
    export_id     TEXT NOT NULL,
    source        TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('succeeded', 'partial')),
    processed_at  TEXT NOT NULL,
    moved_to      TEXT,
    PRIMARY KEY (name, sha256)
  ) WITHOUT ROWID;
  `,
  // 3: what the state file says about itself; departed members keep no personal data.
  `
  -- Facts about this state file (src/state/state-meta.ts), e.g. the event-id epoch of a file started
  -- over with --new-state.
  CREATE TABLE state_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
  ) WITHOUT ROWID;
  -- A departed member keeps only its id and its commit count (event ids stay unique if it returns):
  -- no phone number, no documents, and its settled events keep no body and no error text. The same
  -- scrub runs when a member.deleted is committed (src/state/commit.ts).
  UPDATE snapshot SET phone_number = '' WHERE deleted = 1;
  UPDATE snapshot_docs SET member_doc = NULL, coupons_doc = '[]', stamp_cards_doc = '[]'
    WHERE contact_id IN (SELECT contact_id FROM snapshot WHERE deleted = 1);
  UPDATE outbox_events SET body = NULL, last_error = NULL
    WHERE contact_id IN (SELECT contact_id FROM snapshot WHERE deleted = 1)
      AND event_id NOT IN (SELECT value FROM outbox_members, json_each(outbox_members.event_ids));
  `,
  // 4: events whose outcome is unknown, and what resolves them (src/plan/in-doubt.ts).
  `
  -- 1: sent, not accepted, and the API may have applied it (an answer lost after sending, a 502/504, a 2xx
  -- that was not the acceptance). Planning treats the member's state as if it had been applied, and the
  -- event is re-sent as it is (same id, same body) or overridden; cleared when accepted, refused, or
  -- overridden by an accepted later event. Never pruned while set.
  ALTER TABLE outbox_events ADD COLUMN in_doubt INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX outbox_events_in_doubt ON outbox_events (contact_id) WHERE in_doubt = 1;
  -- For a plan that overrides events in doubt instead of re-sending them: {eventId: [ids in doubt it overrides]}.
  ALTER TABLE outbox_members ADD COLUMN resolves TEXT;
  `,
  // 5: the compact state file (src/state/migration-5.ts).
  migrateToCompactState,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * A file older than this is vacuumed once migrated: version 3 scrubbed personal data (no freed page may
 * keep it), version 5 rewrote every table and turns on auto_vacuum (which only a VACUUM can).
 */
export const VACUUM_BELOW_VERSION = 5;
