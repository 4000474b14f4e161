// Backups of the state file: before a run commits, a consistent copy (VACUUM INTO, which reads one
// snapshot of the database) goes beside it as `<state>.backup-<runId>.sqlite`; the newest few are kept.
// Restoring one is a file copy (README "Restoring the state file"). The copy is read through a connection
// of its own, so it can be taken while the run's planning transaction is open: it holds what was committed
// before it (WAL), not the plan being written.
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const INFIX = '.backup-';
const EXTENSION = '.sqlite';
/** A backup being written; never listed as a backup, removed by the next one if a crash left it. */
const PARTIAL = '.partial';

/** The backups of the state file at `statePath`, newest first (run ids sort by start time). */
export function listStateBackups(statePath: string): string[] {
  return backupNames(statePath)
    .filter((name) => name.endsWith(EXTENSION))
    .sort()
    .reverse()
    .map((name) => join(dirname(statePath), name));
}

export interface BackupOutcome {
  path: string;
  /** Older backups removed to keep `keep`. */
  removed: string[];
}

/** Writes a consistent copy of the committed state database beside it and keeps the newest `keep` backups. */
export function backupState(statePath: string, runId: string, keep: number): BackupOutcome {
  const path = `${statePath}${INFIX}${runId}${EXTENSION}`;
  for (const name of backupNames(statePath)) if (name.endsWith(PARTIAL)) rmSync(join(dirname(statePath), name), { force: true });
  const partial = `${path}${PARTIAL}`;
  const reader = new DatabaseSync(statePath, { readOnly: true });
  try {
    // The copy is built row by row; without secure_delete, cells moved while its pages fill up would leave
    // stale copies in their free space, which `forget` (deleting rows) would never reach.
    reader.exec('PRAGMA secure_delete = ON');
    reader.prepare('VACUUM INTO ?').run(partial);
  } finally {
    reader.close();
  }
  // The copy holds this run's lock row: a restored backup must not look locked by a run long gone.
  const copy = new DatabaseSync(partial);
  try {
    copy.exec('DELETE FROM run_lock');
  } finally {
    copy.close();
  }
  // On disk before it counts as a backup: a power loss must not leave a torn file under a backup's name.
  const fd = openSync(partial, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
  const removed = listStateBackups(statePath).slice(keep);
  for (const old of removed) rmSync(old, { force: true });
  return { path, removed };
}

function backupNames(statePath: string): string[] {
  const prefix = `${basename(statePath)}${INFIX}`;
  try {
    return readdirSync(dirname(statePath)).filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
}
