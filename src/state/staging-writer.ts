// Writes one kind's validated rows into its staging file (staging.ts), used by one ingest lane (possibly in
// a worker thread). While rows arrive in contact_id order they are appended to a plain text file
// (sorted-rows.ts), which is several times cheaper to write and to read back than a keyed table. At the
// first row that file cannot take (a contact out of order), the rows so far move into the keyed table and
// the rest follow them there. Keyed rows go in as multi-row INSERTs of 256 rows: a third cheaper per row
// than 32 rows a statement (measured at 1M coupon rows); a key staged twice there is found after its batch
// is written and reported then.
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { ExportKind } from '../base/kinds.ts';
import { readAllSortedRows, SortedRowsWriter, type SortedFile } from './sorted-rows.ts';
import { sortedFileOf, stagingFileOf, UNTUNED, type RejectedRow } from './staging.ts';

/** A row whose key (contact_id, or contact_id + item id) was already staged from an earlier row. */
export interface Duplicate {
  contactId: string;
  /** Items only. */
  itemId?: string;
  line: number;
  earlierLine: number;
}
export type OnDuplicate = (duplicate: Duplicate) => void;

export interface StagingWriter {
  /**
   * Stages a row; `doc` is its document as JSON text. Rows are written in batches: a duplicate is
   * reported to `onDuplicate` when its batch is written, at the latest by the next `flush()`. The first of
   * two rows with the same key is kept.
   */
  add(contactId: string, itemId: string | undefined, file: string, line: number, phoneNumber: string | undefined, doc: string, onDuplicate: OnDuplicate): void;
  /** Writes the rows added so far (reporting their duplicates). */
  flush(): void;
  /** A contact with a rejected row: left untouched this run. Its first rejected row is kept, for the report. */
  addRejectedContact(contactId: string, reject: RejectedRow): void;
  /** Flushes, commits and closes. */
  close(): void;
}

const BATCH_ROWS = 256;
const ROW_PARAMS = 5;

export function openStagingWriter(dir: string, kind: ExportKind): StagingWriter {
  const db = new DatabaseSync(stagingFileOf(dir, kind));
  const isMembers = kind === 'members';
  // Each row has its file (a small number: a kind may come in several files) and line: together they
  // identify the row, which is how a batch tells its duplicates from the rows it inserted. Pages of 64 KB
  // (the same 2 MB of cache): planning reads every row back in key order a quarter faster than from 4 KB pages.
  db.exec(`
    PRAGMA page_size = 65536;
    ${UNTUNED}
    PRAGMA cache_size = -2048;
    ${
      isMembers
        ? `CREATE TABLE rows (contact_id TEXT PRIMARY KEY, file INTEGER NOT NULL, line INTEGER NOT NULL, phone_number TEXT NOT NULL, doc TEXT NOT NULL)
             WITHOUT ROWID;`
        : `CREATE TABLE rows (contact_id TEXT NOT NULL, item_id TEXT NOT NULL, file INTEGER NOT NULL, line INTEGER NOT NULL, doc TEXT NOT NULL,
             PRIMARY KEY (contact_id, item_id)) WITHOUT ROWID;`
    }
    CREATE TABLE files (number INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE sorted_file (rows INTEGER NOT NULL);
    CREATE TABLE sorted_marks (row INTEGER PRIMARY KEY, contact_id TEXT NOT NULL, offset INTEGER NOT NULL);
    CREATE TABLE rejected (contact_id TEXT PRIMARY KEY, file TEXT NOT NULL, line INTEGER NOT NULL, column_name TEXT NOT NULL, reason TEXT NOT NULL) WITHOUT ROWID;
    BEGIN;
  `);
  const columns = isMembers ? 'contact_id, file, line, phone_number, doc' : 'contact_id, item_id, file, line, doc';
  const insertRows = (rows: number) => db.prepare(`INSERT INTO rows (${columns}) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?)').join(', ')} ON CONFLICT DO NOTHING`);
  const insertBatch = insertRows(BATCH_ROWS);
  const insertOne = insertRows(1);
  const storedRow = db.prepare(`SELECT file, line FROM rows WHERE contact_id = ?${isMembers ? '' : ' AND item_id = ?'}`);
  const insertRejected = db.prepare('INSERT INTO rejected VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
  const insertFile = db.prepare('INSERT INTO files VALUES (?, ?)');
  const fileNames: string[] = [];
  const fileNumber = (name: string) => {
    const index = fileNames.indexOf(name);
    if (index >= 0) return index;
    insertFile.run(fileNames.length, name);
    return fileNames.push(name) - 1;
  };
  // The batch: ROW_PARAMS statement parameters per row, in column order, and each row's duplicate callback.
  let params: (string | number)[] = [];
  let callbacks: OnDuplicate[] = [];
  const keyColumns = isMembers ? 1 : 2;
  const fileColumn = keyColumns;

  const flush = () => {
    const rows = callbacks.length;
    if (rows === 0) return;
    const written = params;
    const reportTo = callbacks;
    params = [];
    callbacks = [];
    let inserted = 0;
    if (rows === BATCH_ROWS) inserted = Number(insertBatch.run(...written).changes);
    else for (let row = 0; row < rows; row++) inserted += Number(insertOne.run(...written.slice(row * ROW_PARAMS, (row + 1) * ROW_PARAMS)).changes);
    if (inserted === rows) return;
    for (let row = 0; row < rows; row++) {
      const at = row * ROW_PARAMS;
      const stored = storedRow.get(...(written.slice(at, at + keyColumns) as string[])) as { file: number; line: number };
      const line = written[at + fileColumn + 1] as number;
      if (stored.file === written[at + fileColumn] && stored.line === line) continue;
      reportTo[row]!({ contactId: written[at] as string, ...(!isMembers && { itemId: written[at + 1] as string }), line, earlierLine: stored.line });
    }
  };

  const addKeyed = (contactId: string, itemId: string | undefined, file: number, line: number, phoneNumber: string | undefined, doc: string, onDuplicate: OnDuplicate) => {
    if (isMembers) params.push(contactId, file, line, phoneNumber!, doc);
    else params.push(contactId, itemId!, file, line, doc);
    if (callbacks.push(onDuplicate) === BATCH_ROWS) flush();
  };

  const sortedPath = sortedFileOf(dir, kind);
  let sorted: SortedRowsWriter | undefined = new SortedRowsWriter(sortedPath, isMembers);
  const noDuplicates: OnDuplicate = () => {
    throw new Error('a row moved from the sorted rows file was a duplicate');
  };
  /** The rows so far into the keyed table; the sorted file is dropped. */
  const moveToKeyed = (writer: SortedRowsWriter) => {
    sorted = undefined;
    writer.finish();
    for (const row of readAllSortedRows(sortedPath)) {
      const [contactId, second, doc, file, line] = row as [string, string, string, string, string];
      addKeyed(contactId, isMembers ? undefined : second, Number(file), Number(line), isMembers ? second : undefined, doc, noDuplicates);
    }
    rmSync(sortedPath);
  };
  const recordSorted = (file: SortedFile) => {
    db.prepare('INSERT INTO sorted_file VALUES (?)').run(file.rows);
    const insertMark = db.prepare('INSERT INTO sorted_marks VALUES (?, ?, ?)');
    for (const mark of file.marks) insertMark.run(mark.row, mark.contactId, mark.offset);
  };

  return {
    add(contactId, itemId, fileName, line, phoneNumber, doc, onDuplicate) {
      const file = fileNumber(fileName);
      if (sorted) {
        const added = sorted.add(contactId, itemId, file, line, phoneNumber, doc);
        if (added === 'added') return;
        if (added !== 'unsorted') return onDuplicate({ contactId, ...(itemId !== undefined && { itemId }), line, earlierLine: added.earlierLine });
        moveToKeyed(sorted);
      }
      addKeyed(contactId, itemId, file, line, phoneNumber, doc, onDuplicate);
    },
    flush,
    addRejectedContact(contactId, reject) {
      insertRejected.run(contactId, reject.file, reject.line, reject.column, reject.reason);
    },
    close() {
      try {
        if (sorted) recordSorted(sorted.finish());
        flush();
        if (db.isTransaction) db.exec('COMMIT');
      } finally {
        db.close();
      }
    },
  };
}
