// One run at a time per state file. The lock is a row in the state file itself, so it travels with it
// (a PVC, a shared disk). A run killed with SIGKILL cannot remove its row, so a lock is stale, and
// taken over, when its holder's process is gone (same host) or its heartbeat stopped (any host).
//
// Fencing: a run that was frozen (SIGSTOP, a paused VM) past the staleness may find its lock taken
// over when it resumes. So it checks that it still holds the lock before every commit (inside the
// commit's transaction, with the heartbeat: `beat`) and before every request it sends (`assertHeld`),
// and stops with LOCK_LOST when it does not: the run that took over owns the state file and the export.
import { hostname } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { StateError } from '../errors.ts';
import { inTransaction } from './store.ts';

export interface RunLock {
  /**
   * Refreshes the heartbeat now; throws LOCK_LOST when another run holds the lock. Called inside every
   * commit's transaction, so a commit happens only while the lock is held (and carries a fresh beat:
   * long synchronous work, like planning a million members, keeps the timer from firing).
   */
  beat(): void;
  /**
   * Throws LOCK_LOST unless this run still holds the lock. Cheap enough before every request: the row is
   * read at most every few hundred milliseconds, and beaten at once when the heartbeat has grown old
   * (after a freeze), so that a takeover and this run's next request cannot both go ahead.
   */
  assertHeld(): void;
  release(): void;
}

export interface LockOptions {
  runId: string;
  /** A heartbeat older than this means the holder is gone (default 2 minutes; `--lock-stale-seconds`). */
  staleAfterMs?: number;
  /** Default: a quarter of the staleness, at most 15 s. */
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
  const beatStatement = db.prepare('UPDATE run_lock SET heartbeat_at = ? WHERE id = 1 AND run_id = ?');
  const holderStatement = db.prepare('SELECT run_id, heartbeat_at FROM run_lock WHERE id = 1');
  const verifyEveryMs = Math.min(500, staleAfterMs / 8);
  let lost: StateError | undefined;
  let verifiedAt = -Infinity;

  const lose = (holder: string | undefined) =>
    (lost ??= new StateError(
      'LOCK_LOST',
      `this run (${options.runId}) lost its lock on the state file to ${holder ? `run ${holder}` : 'another run'} (its heartbeat was older than ${staleAfterMs / 1000} s, e.g. the process was paused); it stops without sending or committing more`,
    ));
  const beat = () => {
    if (lost) throw lost;
    if (!db.isOpen) return;
    const at = now();
    if (beatStatement.run(at, options.runId).changes === 0) throw lose((holderStatement.get() as { run_id: string } | undefined)?.run_id);
    verifiedAt = at;
  };
  const timer = setInterval(() => {
    if (!db.isOpen) return clearInterval(timer);
    try {
      beat();
    } catch {
      // Lost: every later check throws. Anything else (another process is writing, a full disk, a
      // read-only state file): the run's own next write reports it; a missed beat only makes the lock
      // look stale sooner.
      if (lost) clearInterval(timer);
    }
  }, options.heartbeatMs ?? Math.min(15_000, staleAfterMs / 4));
  timer.unref();
  return {
    beat,
    assertHeld() {
      if (lost) throw lost;
      const at = now();
      if (at - verifiedAt < verifyEveryMs || !db.isOpen) return;
      const holder = holderStatement.get() as { run_id: string; heartbeat_at: number } | undefined;
      if (holder?.run_id !== options.runId) throw lose(holder?.run_id);
      if (at - holder.heartbeat_at <= staleAfterMs / 2) {
        verifiedAt = at;
        return;
      }
      // Our heartbeat grew old (a freeze): beat before sending, so a takeover and this request cannot both go ahead.
      try {
        beat();
      } catch (error) {
        if ((error as { errcode?: number }).errcode !== SQLITE_BUSY) throw error;
        throw new StateError('STATE_LOCKED', 'another process is writing this state file, and this run could not confirm it still holds its lock; it stops', { cause: error });
      }
    },
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
