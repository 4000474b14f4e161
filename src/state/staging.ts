// Staging: tonight's export, validated, in throwaway SQLite files beside the state file, one per kind, so
// that kinds can be ingested in parallel (each writer has its own file). Rows are kept in contact_id
// order (clustered primary keys), so planning is one ordered merge with the snapshot and never holds the
// export in memory. Durability is pointless here: no journal, no fsync.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { EXPORT_KINDS, type ExportKind, type ItemKind } from '../ingest/kinds.ts';

export interface StagedMember {
  contactId: string;
  phoneNumber: string;
  doc: string;
}
/** `[contactId, itemId, doc]`: arrays, not objects, because there are millions. */
export type StagedItem = readonly [contactId: string, itemId: string, doc: string];

/** Where an item row came from (only asked for rows that turn out to be orphans). */
export interface ItemOrigin {
  file: string;
  line: number;
}

/** Writes one kind's rows; used by one ingest lane (possibly in a worker thread). */
export interface StagingWriter {
  /** Stages a row; returns the line of an earlier row with the same key, if any. */
  add(contactId: string, itemId: string | undefined, file: string, line: number, phoneNumber: string | undefined, doc: string): number | undefined;
  /** A contact with a rejected row: left untouched this run. */
  addRejectedContact(contactId: string): void;
  close(): void;
}

/** Reads every kind's rows, in contact_id order. */
export interface Staging {
  members(): Iterable<StagedMember>;
  items(kind: ItemKind): Iterable<StagedItem>;
  origin(kind: ItemKind, contactId: string, itemId: string): ItemOrigin;
  rejectedContacts(): Iterable<string>;
  close(): void;
}

export interface StagingArea {
  readonly dir: string;
  reader(): Staging;
  /** Removes the staging files. */
  remove(): void;
}

const STAGING_SUFFIX = '.staging-';

export function createStagingArea(statePath: string, runId: string): StagingArea {
  removeStaleStaging(statePath);
  const dir = `${statePath}${STAGING_SUFFIX}${runId}`;
  mkdirSync(dir, { recursive: true });
  let reader: Staging | undefined;
  return {
    dir,
    reader: () => (reader ??= openStagingReader(dir)),
    remove() {
      reader?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const fileOf = (dir: string, kind: ExportKind) => join(dir, `${kind}.sqlite`);
const UNTUNED = `PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;`;

export function openStagingWriter(dir: string, kind: ExportKind): StagingWriter {
  const db = new DatabaseSync(fileOf(dir, kind));
  const isMembers = kind === 'members';
  db.exec(`
    ${UNTUNED}
    PRAGMA cache_size = -8192;
    ${
      isMembers
        ? 'CREATE TABLE rows (contact_id TEXT PRIMARY KEY, line INTEGER NOT NULL, phone_number TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;'
        : `CREATE TABLE rows (contact_id TEXT NOT NULL, item_id TEXT NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL, doc TEXT NOT NULL,
             PRIMARY KEY (contact_id, item_id)) WITHOUT ROWID;`
    }
    CREATE TABLE files (number INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE rejected (contact_id TEXT PRIMARY KEY) WITHOUT ROWID;
    BEGIN;
  `);
  const insert = db.prepare(isMembers ? 'INSERT INTO rows VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING' : 'INSERT INTO rows VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const lineOf = db.prepare(isMembers ? 'SELECT line FROM rows WHERE contact_id = ?' : 'SELECT line FROM rows WHERE contact_id = ? AND item_id = ?');
  const insertRejected = db.prepare('INSERT INTO rejected VALUES (?) ON CONFLICT DO NOTHING');
  const insertFile = db.prepare('INSERT INTO files VALUES (?, ?)');
  // File names are stored once; rows carry a small number (a kind may come in several files).
  const fileNames: string[] = [];
  const fileNumber = (name: string) => {
    const index = fileNames.indexOf(name);
    if (index >= 0) return index;
    insertFile.run(fileNames.length, name);
    return fileNames.push(name) - 1;
  };
  const earlierLine = (...key: string[]) => (lineOf.get(...key) as { line: number }).line;
  return {
    add(contactId, itemId, file, line, phoneNumber, doc) {
      if (isMembers) return insert.run(contactId, line, phoneNumber!, doc).changes === 1 ? undefined : earlierLine(contactId);
      return insert.run(contactId, itemId!, fileNumber(file), line, doc).changes === 1 ? undefined : earlierLine(contactId, itemId!);
    },
    addRejectedContact(contactId) {
      insertRejected.run(contactId);
    },
    close() {
      if (db.isTransaction) db.exec('COMMIT');
      db.close();
    },
  };
}

function openStagingReader(dir: string): Staging {
  const db = new DatabaseSync(':memory:');
  db.exec(UNTUNED);
  const present = EXPORT_KINDS.filter((kind) => existsSync(fileOf(dir, kind)));
  for (const kind of present) db.exec(`ATTACH DATABASE '${fileOf(dir, kind).replace(/'/g, "''")}' AS ${kind}`);
  const has = (kind: ExportKind) => present.includes(kind);
  let origin: Partial<Record<ItemKind, StatementSync>> = {};
  return {
    *members() {
      if (!has('members')) return;
      const rows = db.prepare('SELECT contact_id, phone_number, doc FROM members.rows ORDER BY contact_id');
      rows.setReturnArrays(true);
      for (const [contactId, phoneNumber, doc] of rows.iterate() as Iterable<[string, string, string]>) yield { contactId, phoneNumber, doc };
    },
    items(kind) {
      if (!has(kind)) return [];
      const rows = db.prepare(`SELECT contact_id, item_id, doc FROM ${kind}.rows ORDER BY contact_id, item_id`);
      rows.setReturnArrays(true);
      return rows.iterate() as Iterable<StagedItem>;
    },
    origin(kind, contactId, itemId) {
      origin[kind] ??= db.prepare(`SELECT f.name AS file, r.line FROM ${kind}.rows r JOIN ${kind}.files f ON f.number = r.file WHERE r.contact_id = ? AND r.item_id = ?`);
      return origin[kind].get(contactId, itemId) as unknown as ItemOrigin;
    },
    rejectedContacts() {
      if (present.length === 0) return [];
      const union = present.map((kind) => `SELECT contact_id FROM ${kind}.rejected`).join(' UNION ');
      const rows = db.prepare(`${union} ORDER BY contact_id`);
      rows.setReturnArrays(true);
      return (function* () {
        for (const [contactId] of rows.iterate() as Iterable<[string]>) yield contactId;
      })();
    },
    close() {
      origin = {};
      if (db.isOpen) db.close();
    },
  };
}

/** Staging files of crashed runs; safe to delete because only the run holding the lock stages. */
function removeStaleStaging(statePath: string): void {
  const prefix = `${basename(statePath)}${STAGING_SUFFIX}`;
  const folder = dirname(statePath);
  for (const name of readdirSync(folder)) if (name.startsWith(prefix)) rmSync(join(folder, name), { recursive: true, force: true });
}

