// The state file: one SQLite database (node:sqlite, WAL) holding the snapshot, the outbox and the runs.
// A state file that cannot be read is an error, never a silent fresh start: a fresh snapshot would
// re-register every member (a missing one is src/run/state-stage.ts's to judge).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { isSyncError, StateError, type StateErrorCode } from '../errors.ts';
import { MIGRATIONS, SCHEMA_VERSION, VACUUM_BELOW_VERSION } from './migrations.ts';

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
      // A file without tables takes auto_vacuum as it is (an older one gets it with its VACUUM on
      // migration): pages freed by sent bodies and pruned history can go back (releaseFreePages).
      if (!exists || statSync(path).size === 0) db.exec('PRAGMA auto_vacuum = INCREMENTAL');
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
    checkIntegrity(db, path, 'small tables');
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

// Tables that grow with the club. The check on every open skips them: at 1M members, checking them took
// seconds before the run could even take its lock. Every run reads each snapshot page as it plans (SQLite
// refuses a damaged one: STATE_CORRUPT, nothing sent), and the whole file is checked on a schedule
// (checkStateIfDue).
const LARGE_TABLES = new Set(['snapshot', 'snapshot_docs', 'outbox_events', 'outbox_bodies']);

function checkIntegrity(db: DatabaseSync, path: string, scope: 'small tables' | 'whole file'): void {
  const tables =
    scope === 'whole file'
      ? ['']
      : (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name).filter((name) => !LARGE_TABLES.has(name));
  const problems: string[] = [];
  for (const table of tables) {
    const rows = db.prepare(`PRAGMA quick_check${table && `("${table.replaceAll('"', '""')}")`}`).all() as { quick_check: string }[];
    problems.push(...rows.map((row) => row.quick_check).filter((text) => text !== 'ok'));
  }
  if (problems.length > 0) {
    throw new StateError('STATE_CORRUPT', `state file ${path} failed its integrity check: ${problems.slice(0, 3).join('; ')}`);
  }
}

const CHECKED_AT = 'integrity-checked-at';

/**
 * The whole file's integrity check (`PRAGMA quick_check`), when the last one is `everyDays` old or more,
 * or when `force` (`--check-state`). Returns whether it ran. A writable store records when it did.
 */
export function checkStateIfDue(store: StateStore, options: { force: boolean; everyDays: number; now: Date }): boolean {
  const { db } = store;
  const row = db.prepare('SELECT value FROM state_meta WHERE key = ?').get(CHECKED_AT) as { value: string } | undefined;
  const due = !row || options.now.getTime() - Date.parse(row.value) >= options.everyDays * 86_400_000;
  if (!options.force && !due) return false;
  try {
    checkIntegrity(db, store.path, 'whole file');
  } catch (error) {
    throw knownStateError(error, store.path, 'failed its integrity check') ?? error;
  }
  db.prepare('INSERT INTO state_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(CHECKED_AT, options.now.toISOString());
  return true;
}

/**
 * Gives free pages back to the file system (auto_vacuum = INCREMENTAL) once they are a tenth of the file:
 * the bodies of a first night, a history pruned. A night's own churn stays, to be reused the next night.
 */
export function releaseFreePages(db: DatabaseSync): number {
  const { freelist_count: free } = db.prepare('PRAGMA freelist_count').get() as { freelist_count: number };
  const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  if (free === 0 || free * 10 < pages) return 0;
  // exec, not a statement's all(): the pragma yields a row per page it frees, and a first night at 1M
  // members frees hundreds of thousands; collecting them ran the job out of its 64 MB heap at its end.
  db.exec('PRAGMA incremental_vacuum');
  return free;
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
    const migration = MIGRATIONS[next]!;
    inTransaction(db, () => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.exec(`PRAGMA user_version = ${next + 1}`);
    });
  }
  if (version > 0 && version < VACUUM_BELOW_VERSION) {
    db.exec('PRAGMA auto_vacuum = INCREMENTAL');
    db.exec('VACUUM');
  }
}

/**
 * inTransaction for async `work`: the transaction stays open while it awaits (the plan stage waits for
 * its worker lanes), so nothing else may start a transaction on `db` meanwhile.
 */
export async function inTransactionAsync<T>(db: DatabaseSync, work: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
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
