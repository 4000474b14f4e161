// One run at a time per state file. The lock is a row in the state file itself, so it travels with it
// (a PVC, a shared disk). A run killed with SIGKILL cannot remove its row, so a lock is stale, and
// taken over, when its holder's process is gone (same host) or its heartbeat stopped (any host).
import { hostname } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { inTransaction } from './store.ts';

export interface RunLock {
  /**
   * Refreshes the heartbeat now. Long synchronous work (planning a million members in one transaction)
   * keeps the timer from firing: it calls this inside that transaction, so the commit carries a fresh beat.
   */
  beat(): void;
  release(): void;
}

export interface LockOptions {
  runId: string;
  /** A heartbeat older than this means the holder is gone (default 2 minutes). */
  staleAfterMs?: number;
  heartbeatMs?: number;
  now?: () => number;
  pid?: number;
  host?: string;
}

interface LockRow {
  run_id: string;
  pid: number;
  host: string;
  acquired_at: string;
  heartbeat_at: number;
}

export function acquireRunLock(db: DatabaseSync, options: LockOptions): RunLock {
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? 120_000;
  const pid = options.pid ?? process.pid;
  const host = options.host ?? hostname();
  try {
    inTransaction(db, () => takeLock(db, options, { now, staleAfterMs, pid, host }));
  } catch (error) {
    // Another process is writing the state file right now (e.g. in its planning transaction).
    if ((error as { errcode?: number }).errcode === SQLITE_BUSY) {
      throw new StateError('STATE_LOCKED', 'another run is writing this state file; try again later', { cause: error });
    }
    throw error;
  }
  const beat = db.prepare('UPDATE run_lock SET heartbeat_at = ? WHERE id = 1 AND run_id = ?');
  const beatNow = () => {
    if (db.isOpen) beat.run(now(), options.runId);
    else clearInterval(timer);
  };
  const timer = setInterval(() => {
    try {
      beatNow();
    } catch {
      // A full disk or a read-only state file: the run's own next write reports it; a missed beat only
      // makes the lock look stale sooner.
    }
  }, options.heartbeatMs ?? 15_000);
  timer.unref();
  return {
    beat: beatNow,
    release() {
      clearInterval(timer);
      if (db.isOpen) db.prepare('DELETE FROM run_lock WHERE id = 1 AND run_id = ?').run(options.runId);
    },
  };
}

const SQLITE_BUSY = 5;

interface LockClaim {
  now: () => number;
  staleAfterMs: number;
  pid: number;
  host: string;
}

function takeLock(db: DatabaseSync, options: LockOptions, { now, staleAfterMs, pid, host }: LockClaim): void {
  const holder = db.prepare('SELECT * FROM run_lock WHERE id = 1').get() as LockRow | undefined;
  if (holder && !isStale(holder, now(), staleAfterMs, host)) {
    throw new StateError(
      'STATE_LOCKED',
      `another run (${holder.run_id}, pid ${holder.pid} on ${holder.host}, since ${holder.acquired_at}) holds the lock on this state file; try again later`,
    );
  }
  db.prepare('INSERT OR REPLACE INTO run_lock (id, run_id, pid, host, acquired_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)').run(
    options.runId,
    pid,
    host,
    new Date(now()).toISOString(),
    now(),
  );
}

function isStale(holder: LockRow, now: number, staleAfterMs: number, host: string): boolean {
  if (now - holder.heartbeat_at > staleAfterMs) return true;
  return holder.host === host && !processAlive(holder.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
