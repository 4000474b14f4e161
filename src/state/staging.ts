// Staging: tonight's export, validated, in a throwaway SQLite file beside the state file. Rows are kept
// in contact_id order (clustered primary keys), so planning is one ordered merge with the snapshot and
// never holds the export in memory. Durability is pointless here: no journal, no fsync.
import { readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ITEM_KINDS, type ItemKind } from '../ingest/kinds.ts';

export interface StagedMember {
  contactId: string;
  phoneNumber: string;
  doc: string;
}
export interface StagedItem {
  contactId: string;
  itemId: string;
  doc: string;
  file: string;
  line: number;
}

export interface Staging {
  /** Stages a member row; returns the line of an earlier row with the same contact_id, if any. */
  addMember(contactId: string, line: number, phoneNumber: string, doc: string): number | undefined;
  /** Stages an item row; returns the line of an earlier row with the same (contact_id, item id), if any. */
  addItem(kind: ItemKind, contactId: string, itemId: string, file: string, line: number, doc: string): number | undefined;
  /** A contact with a rejected row: left untouched this run. */
  addRejectedContact(contactId: string): void;
  members(): Iterable<StagedMember>;
  items(kind: ItemKind): Iterable<StagedItem>;
  rejectedContacts(): Iterable<string>;
  memberCount(): number;
  /** Ends the write phase (writes share one transaction: staging needs no durability). */
  seal(): void;
  close(): void;
}

const STAGING_SUFFIX = '.staging-';

export function openStaging(statePath: string, runId: string): Staging {
  removeStaleStaging(statePath);
  const path = `${statePath}${STAGING_SUFFIX}${runId}`;
  const db = new DatabaseSync(path);
  db.exec(`
    PRAGMA journal_mode = OFF;
    PRAGMA synchronous = OFF;
    PRAGMA cache_size = -8192;
    PRAGMA temp_store = FILE;
    CREATE TABLE members (contact_id TEXT PRIMARY KEY, line INTEGER NOT NULL, phone_number TEXT NOT NULL, doc TEXT NOT NULL) WITHOUT ROWID;
    ${ITEM_KINDS.map(
      (kind) => `CREATE TABLE items_${kind} (
        contact_id TEXT NOT NULL, item_id TEXT NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (contact_id, item_id)
      ) WITHOUT ROWID;`,
    ).join('\n')}
    CREATE TABLE rejected (contact_id TEXT PRIMARY KEY) WITHOUT ROWID;
    BEGIN;
  `);
  const insertMember = db.prepare('INSERT INTO members VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const memberLine = db.prepare('SELECT line FROM members WHERE contact_id = ?');
  const insertItem = perKind((kind) => db.prepare(`INSERT INTO items_${kind} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`));
  const itemLine = perKind((kind) => db.prepare(`SELECT line FROM items_${kind} WHERE contact_id = ? AND item_id = ?`));
  // File names are stored once; rows carry a small number (a kind may come in several files).
  const fileNames: string[] = [];
  const fileNumber = (name: string) => {
    const index = fileNames.indexOf(name);
    return index >= 0 ? index : fileNames.push(name) - 1;
  };
  const insertRejected = db.prepare('INSERT INTO rejected VALUES (?) ON CONFLICT DO NOTHING');

  const firstLine = (statement: StatementSync, ...key: string[]) => (statement.get(...key) as { line: number }).line;

  return {
    addMember(contactId, line, phoneNumber, doc) {
      if (insertMember.run(contactId, line, phoneNumber, doc).changes === 1) return undefined;
      return firstLine(memberLine, contactId);
    },
    addItem(kind, contactId, itemId, file, line, doc) {
      if (insertItem[kind].run(contactId, itemId, fileNumber(file), line, doc).changes === 1) return undefined;
      return firstLine(itemLine[kind], contactId, itemId);
    },
    addRejectedContact(contactId) {
      insertRejected.run(contactId);
    },
    members: () =>
      db.prepare('SELECT contact_id AS contactId, phone_number AS phoneNumber, doc FROM members ORDER BY contact_id').iterate() as Iterable<StagedMember>,
    *items(kind) {
      const rows = db.prepare(`SELECT contact_id, item_id, doc, file, line FROM items_${kind} ORDER BY contact_id, item_id`);
      rows.setReturnArrays(true);
      for (const [contactId, itemId, doc, file, line] of rows.iterate() as Iterable<[string, string, string, number, number]>) {
        yield { contactId, itemId, doc, file: fileNames[file]!, line };
      }
    },
    rejectedContacts: () =>
      (function* () {
        for (const row of db.prepare('SELECT contact_id FROM rejected ORDER BY contact_id').iterate()) yield (row as { contact_id: string }).contact_id;
      })(),
    memberCount: () => (db.prepare('SELECT count(*) AS n FROM members').get() as { n: number }).n,
    seal() {
      if (db.isTransaction) db.exec('COMMIT');
    },
    close() {
      if (db.isOpen) db.close();
      rmSync(path, { force: true });
    },
  };
}

function perKind<T>(make: (kind: ItemKind) => T): Record<ItemKind, T> {
  return Object.fromEntries(ITEM_KINDS.map((kind) => [kind, make(kind)])) as Record<ItemKind, T>;
}

/** Staging files of crashed runs; safe to delete because only the run holding the lock stages. */
function removeStaleStaging(statePath: string): void {
  const prefix = `${basename(statePath)}${STAGING_SUFFIX}`;
  const folder = dirname(statePath);
  for (const name of readdirSync(folder)) if (name.startsWith(prefix)) rmSync(join(folder, name), { force: true });
}
