// The state file: one SQLite database (node:sqlite, WAL) holding the snapshot, the outbox and the runs.
// A state file that cannot be read is an error, never a silent fresh start: a fresh snapshot would
// re-register every member (a missing one is src/run/state-stage.ts's to judge).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isSyncError, StateError, type StateErrorCode } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, VACUUM_AFTER_VERSION } from './migrations.ts';

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
  let db: DatabaseSync;
  try {
    if (!exists) mkdirSync(dirname(path), { recursive: true });
    db = new DatabaseSync(path, { readOnly: options.readOnly ?? false, timeout: 5000 });
    if (!options.readOnly) {
      db.exec('PRAGMA journal_mode = WAL');
      // FULL: a commit survives power loss, not only a crash. Commits are batched, so this stays cheap.
      db.exec('PRAGMA synchronous = FULL');
      // The planning transaction of a large export grows the WAL to gigabytes; give that back afterwards.
      db.exec('PRAGMA journal_size_limit = 67108864');
      // Deleted and overwritten rows (a departed member's phone number, an accepted event's body) are
      // zeroed on disk, also on freed pages, instead of lingering in the file's free space.
      db.exec('PRAGMA secure_delete = ON');
    }
    db.exec('PRAGMA foreign_keys = ON');
    checkIntegrity(db, path);
  } catch (error) {
    throw knownStateError(error, path, 'cannot be opened') ?? stateError('STATE_CORRUPT', path, 'cannot be opened as a loyalty-sync state database', error);
  }
  try {
    migrate(db, path, options.readOnly ?? false);
  } catch (error) {
    db.close();
    throw knownStateError(error, path, 'cannot be migrated') ?? error;
  }
  return { db, path, close: () => db.isOpen && db.close() };
}

// SQLite's primary result codes (sqlite.org/rescode.html) and errno names that are expected trouble with
// a state file: each gets a code of its own and a message without a stack trace.
const SQLITE_CODES: Record<number, StateErrorCode> = { 3: 'STATE_UNWRITABLE', 8: 'STATE_UNWRITABLE', 14: 'STATE_UNWRITABLE', 23: 'STATE_UNWRITABLE', 13: 'STATE_DISK_FULL', 10: 'STATE_IO_ERROR', 11: 'STATE_CORRUPT', 26: 'STATE_CORRUPT' };
const ERRNO_CODES: Record<string, StateErrorCode> = { EACCES: 'STATE_UNWRITABLE', EPERM: 'STATE_UNWRITABLE', EROFS: 'STATE_UNWRITABLE', ENOSPC: 'STATE_DISK_FULL', EDQUOT: 'STATE_DISK_FULL', EIO: 'STATE_IO_ERROR' };
const ADVICE: Partial<Record<StateErrorCode, string>> = {
  STATE_UNWRITABLE: 'the file and its folder must be writable by this user, on a writable file system',
  STATE_DISK_FULL: 'free space on its disk (the state file, its -wal and a backup need room), then run again',
  STATE_IO_ERROR: 'check the disk; if the file is damaged, restore a backup (README "Restoring the state file")',
  STATE_CORRUPT: 'restore a backup (README "Restoring the state file"), or move it away and start over with --new-state',
};

/** A StateError for an expected problem with the state file (read-only, disk full, I/O, damage), else undefined. */
export function knownStateError(error: unknown, path: string, doing: string): StateError | undefined {
  if (error instanceof StateError) return error;
  if (isSyncError(error) || typeof error !== 'object' || error === null) return undefined;
  const { errcode, code } = error as { errcode?: unknown; code?: unknown };
  const stateCode = typeof errcode === 'number' ? SQLITE_CODES[errcode & 0xff] : typeof code === 'string' ? ERRNO_CODES[code] : undefined;
  return stateCode && stateError(stateCode, path, doing, error);
}

function stateError(code: StateErrorCode, path: string, doing: string, cause: unknown): StateError {
  return new StateError(code, `state file ${path} ${doing}: ${(cause as Error).message ?? String(cause)}; ${ADVICE[code]}`, { cause });
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
  // Rows scrubbed by a migration left their old bytes on pages written before secure_delete was on.
  if (version > 0 && version < VACUUM_AFTER_VERSION) db.exec('VACUUM');
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
