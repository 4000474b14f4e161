// The state file: one SQLite database (node:sqlite, WAL) holding the snapshot, the outbox and the runs.
// A state file that cannot be read is an error, never a silent fresh start: a fresh snapshot would
// re-register every member.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';

export interface StateStore {
  readonly db: DatabaseSync;
  readonly path: string;
  close(): void;
}

export interface OpenOptions {
  /** Open without creating or migrating (status/explain commands). */
  readOnly?: boolean;
}

export function openStateStore(path: string, options: OpenOptions = {}): StateStore {
  const exists = existsSync(path);
  if (options.readOnly && !exists) throw new StateError('STATE_CORRUPT', `state file ${path} does not exist`);
  if (exists && statSync(path).isDirectory()) throw new StateError('STATE_CORRUPT', `state file ${path} is a directory`);
  if (!exists) mkdirSync(dirname(path), { recursive: true });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path, { readOnly: options.readOnly ?? false, timeout: 5000 });
    if (!options.readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      // FULL: a commit survives power loss, not only a crash. Commits are batched, so this stays cheap.
      db.exec('PRAGMA synchronous = FULL');
      // The planning transaction of a large export grows the WAL to gigabytes; give that back afterwards.
      db.exec('PRAGMA journal_size_limit = 67108864');
    }
    db.exec('PRAGMA foreign_keys = ON');
    checkIntegrity(db, path);
  } catch (error) {
    if (error instanceof StateError) throw error;
    throw new StateError('STATE_CORRUPT', `state file ${path} cannot be opened as a loyalty-sync state database: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    migrate(db, path, options.readOnly ?? false);
  } catch (error) {
    db.close();
    throw error;
  }
  return { db, path, close: () => db.isOpen && db.close() };
}

function checkIntegrity(db: DatabaseSync, path: string): void {
  const rows = db.prepare('PRAGMA quick_check').all() as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) {
    throw new StateError('STATE_CORRUPT', `state file ${path} failed its integrity check: ${problems.slice(0, 3).join('; ')}`);
  }
}

function migrate(db: DatabaseSync, path: string, readOnly: boolean): void {
  const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (version > SCHEMA_VERSION) {
    throw new StateError('STATE_TOO_NEW', `state file ${path} has schema version ${version}; this loyalty-sync knows up to ${SCHEMA_VERSION}. Upgrade loyalty-sync.`);
  }
  if (version === 0 && !readOnly) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (tables.n > 0) throw new StateError('STATE_CORRUPT', `${path} is a SQLite database but not a loyalty-sync state file`);
  }
  if (version === SCHEMA_VERSION) return;
  if (readOnly) throw new StateError('STATE_TOO_NEW', `state file ${path} has schema version ${version}; run loyalty-sync once to migrate it`);
  for (let next = version; next < SCHEMA_VERSION; next++) {
    inTransaction(db, () => {
      db.exec(MIGRATIONS[next]!);
      db.exec(`PRAGMA user_version = ${next + 1}`);
    });
  }
}

/** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, so no upgrade deadlock). */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
