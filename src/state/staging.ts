// Staging: tonight's export, validated, in throwaway files beside the state file, one SQLite file per
// kind, so that kinds can be ingested in parallel (each writer has its own file). Rows are read back in
// contact_id order: from a plain text file of rows when the export came in that order (sorted-rows.ts),
// else from a keyed table (clustered primary keys). So planning is one ordered merge with the snapshot and
// never holds the export in memory. The writer is in staging-writer.ts.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { EXPORT_KINDS, type ExportKind, type ItemKind } from '../base/kinds.ts';
import { inRange, where, type KeyRange } from './key-range.ts';
import { readSortedRows, sortedKeyAt, startOffset, type SortedMark } from './sorted-rows.ts';

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

/** Reads every kind's rows, in contact_id order (within `range` when given: a plan lane's contacts). */
export interface Staging {
  members(range?: KeyRange): Iterable<StagedMember>;
  items(kind: ItemKind, range?: KeyRange): Iterable<StagedItem>;
  origin(kind: ItemKind, contactId: string, itemId: string): ItemOrigin;
  /** Contacts with a rejected row of any kind, in contact_id order. */
  rejectedContacts(range?: KeyRange): Iterable<string>;
  /** Contacts whose row in the members file was rejected, in contact_id order. */
  rejectedMemberRows(range?: KeyRange): Iterable<string>;
  /** How many members are staged. */
  memberCount(): number;
  /**
   * Contact ids that split the staged members into `parts` ranges of about the same size, in order
   * (fewer when there are too few members).
   */
  splitKeys(parts: number): string[];
  /** The first rejected row of a contact (members file first), for the report. */
  firstReject(contactId: string): RejectedRow | undefined;
  close(): void;
}

export interface StagingArea {
  readonly dir: string;
  /** The run's reader (one per area). A plan lane in another thread opens its own: openStagingReader(dir). */
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

export const stagingFileOf = (dir: string, kind: ExportKind) => join(dir, `${kind}.sqlite`);
/** A kind's rows when they came in contact_id order (see sorted-rows.ts). */
export const sortedFileOf = (dir: string, kind: ExportKind) => join(dir, `${kind}.rows`);
/** Durability is pointless for throwaway files: no journal, no fsync. */
export const UNTUNED = `PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;`;

export function openStagingReader(dir: string): Staging {
  const db = new DatabaseSync(':memory:');
  db.exec(UNTUNED);
  const present = EXPORT_KINDS.filter((kind) => existsSync(stagingFileOf(dir, kind)));
  for (const kind of present) db.exec(`ATTACH DATABASE '${stagingFileOf(dir, kind).replace(/'/g, "''")}' AS ${kind}`);
  const has = (kind: ExportKind) => present.includes(kind);
  let origin: Partial<Record<ItemKind, StatementSync>> = {};
  let fileName: Partial<Record<ItemKind, StatementSync>> = {};
  let firstReject: StatementSync | undefined;
  let sorted = sortedFilesOf(db, dir, present);
  const memberCount = () =>
    sorted.members ? sorted.members.rows : has('members') ? (db.prepare('SELECT count(*) AS n FROM members.rows').get() as { n: number }).n : 0;
  const contactIds = (tables: readonly string[], range: KeyRange = {}) => {
    const { conditions, params } = inRange(range);
    const rows = db.prepare(`${tables.map((table) => `SELECT contact_id FROM ${table}${where(conditions)}`).join(' UNION ')} ORDER BY contact_id`);
    rows.setReturnArrays(true);
    return (function* () {
      for (const [contactId] of rows.iterate(...tables.flatMap(() => params)) as Iterable<[string]>) yield contactId;
    })();
  };
  return {
    *members(range) {
      if (!has('members')) return;
      const { members } = sorted;
      const rows = members
        ? (readSortedRows(members.fd, startOffset(members.marks, range), 3, range) as Iterable<[string, string, string]>)
        : inKeyOrder<[string, string, string]>(db, 'SELECT contact_id, phone_number, doc FROM members.rows', 1, range);
      for (const [contactId, phoneNumber, doc] of rows) yield { contactId, phoneNumber, doc };
    },
    items(kind, range) {
      if (!has(kind)) return [];
      const file = sorted[kind];
      if (file) return readSortedRows(file.fd, startOffset(file.marks, range), 3, range) as Iterable<StagedItem>;
      return inKeyOrder<[string, string, string]>(db, `SELECT contact_id, item_id, doc FROM ${kind}.rows`, 2, range);
    },
    origin(kind, contactId, itemId) {
      const file = sorted[kind];
      if (file) {
        for (const [rowContactId, rowItemId, , fileNumber, line] of readSortedRows(file.fd, startOffset(file.marks, { from: contactId }), 5, { from: contactId })) {
          if (rowContactId !== contactId) break;
          if (rowItemId !== itemId) continue;
          fileName[kind] ??= db.prepare(`SELECT name FROM ${kind}.files WHERE number = ?`);
          const { name } = fileName[kind].get(Number(fileNumber)) as { name: string };
          return { file: name, line: Number(line) };
        }
      }
      origin[kind] ??= db.prepare(`SELECT f.name AS file, r.line FROM ${kind}.rows r JOIN ${kind}.files f ON f.number = r.file WHERE r.contact_id = ? AND r.item_id = ?`);
      return origin[kind].get(contactId, itemId) as unknown as ItemOrigin;
    },
    rejectedContacts(range) {
      if (present.length === 0) return [];
      return contactIds(present.map((kind) => `${kind}.rejected`), range);
    },
    rejectedMemberRows(range) {
      return has('members') ? contactIds(['members.rejected'], range) : [];
    },
    memberCount,
    splitKeys(parts) {
      const count = memberCount();
      if (count === 0) return [];
      const { members } = sorted;
      const at = db.prepare('SELECT contact_id FROM members.rows ORDER BY contact_id LIMIT 1 OFFSET ?');
      const keyAt = (row: number) => (members ? sortedKeyAt(members.fd, members.marks, row) : (at.get(row) as { contact_id: string } | undefined)?.contact_id);
      const keys: string[] = [];
      for (let part = 1; part < parts; part++) {
        const key = keyAt(Math.floor((count * part) / parts));
        if (key !== undefined && key !== keys.at(-1)) keys.push(key);
      }
      return keys;
    },
    firstReject(contactId) {
      if (present.length === 0) return undefined;
      // `present` is in export-kind order, members first: the first branch that has the contact wins.
      firstReject ??= db.prepare(
        `${present.map((kind) => `SELECT file, line, column_name AS "column", reason FROM ${kind}.rejected WHERE contact_id = ?`).join(' UNION ALL ')} LIMIT 1`,
      );
      return firstReject.get(...present.map(() => contactId)) as RejectedRow | undefined;
    },
    close() {
      origin = {};
      fileName = {};
      firstReject = undefined;
      for (const file of Object.values(sorted)) closeSync(file.fd);
      sorted = {};
      if (db.isOpen) db.close();
    },
  };
}

interface OpenSortedFile {
  fd: number;
  rows: number;
  marks: SortedMark[];
}

/** The kinds whose rows are in a sorted rows file (the writer recorded one), each opened for reading. */
function sortedFilesOf(db: DatabaseSync, dir: string, kinds: readonly ExportKind[]): Partial<Record<ExportKind, OpenSortedFile>> {
  const files: Partial<Record<ExportKind, OpenSortedFile>> = {};
  for (const kind of kinds) {
    const file = db.prepare(`SELECT rows FROM ${kind}.sorted_file`).get() as { rows: number } | undefined;
    if (!file) continue;
    const marks = db.prepare(`SELECT contact_id AS contactId, offset, row FROM ${kind}.sorted_marks ORDER BY row`).all() as unknown as SortedMark[];
    files[kind] = { fd: openSync(sortedFileOf(dir, kind), 'r'), rows: file.rows, marks };
  }
  return files;
}

const PAGE_ROWS = 1024;

/**
 * The rows of `select` (one table, whose primary key is its first `keyColumns` columns) in key order, a
 * page at a time: one native call per page instead of per row makes reading millions of rows a quarter
 * faster. Each page continues after the previous page's last key, so it is an index seek, not an OFFSET.
 */
function* inKeyOrder<Row extends unknown[]>(db: DatabaseSync, select: string, keyColumns: 1 | 2, range?: KeyRange): Generator<Row> {
  const key = keyColumns === 1 ? 'contact_id' : 'contact_id, item_id';
  const bounds = inRange(range);
  const first = db.prepare(`${select}${where(bounds.conditions)} ORDER BY ${key} LIMIT ${PAGE_ROWS}`);
  const next = db.prepare(`${select}${where([`(${key}) > (${keyColumns === 1 ? '?' : '?, ?'})`, ...bounds.conditions])} ORDER BY ${key} LIMIT ${PAGE_ROWS}`);
  first.setReturnArrays(true);
  next.setReturnArrays(true);
  let page = first.all(...bounds.params) as unknown as Row[];
  for (;;) {
    yield* page;
    if (page.length < PAGE_ROWS) return;
    const last = page[page.length - 1]!;
    page = next.all(...(last.slice(0, keyColumns) as string[]), ...bounds.params) as unknown as Row[];
  }
}

/** Staging files of crashed runs; safe to delete because only the run holding the lock stages. */
function removeStaleStaging(statePath: string): void {
  const prefix = `${basename(statePath)}${STAGING_SUFFIX}`;
  const folder = dirname(statePath);
  for (const name of readdirSync(folder)) if (name.startsWith(prefix)) rmSync(join(folder, name), { recursive: true, force: true });
}

/** Where and why a contact's row was rejected. */
export interface RejectedRow {
  file: string;
  line: number;
  column: string;
  reason: string;
}
