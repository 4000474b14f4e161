// One run at a time per state file. The lock is a row in the state file itself, so it travels with it
// (a PVC, a shared disk). A run killed with SIGKILL cannot remove its row, so a lock is stale, and
// taken over, when its holder's process is gone (same host) or its heartbeat stopped (any host).
import { hostname } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { inTransaction } from './store.ts';

export interface RunLock {
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
  inTransaction(db, () => {
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
  });
  const beat = db.prepare('UPDATE run_lock SET heartbeat_at = ? WHERE id = 1 AND run_id = ?');
  const timer = setInterval(() => {
    if (db.isOpen) beat.run(now(), options.runId);
    else clearInterval(timer);
  }, options.heartbeatMs ?? 15_000);
  timer.unref();
  return {
    release() {
      clearInterval(timer);
      if (db.isOpen) db.prepare('DELETE FROM run_lock WHERE id = 1 AND run_id = ?').run(options.runId);
    },
  };
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
