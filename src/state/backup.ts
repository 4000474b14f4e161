// Backups of the state file: before a run commits, a consistent copy (VACUUM INTO, which reads one
// snapshot of the database while nothing else writes) goes beside it as `<state>.backup-<runId>.sqlite`;
// the newest few are kept. Restoring one is a file copy (README "Restoring the state file").
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

/** Writes a consistent copy of the open state database beside it and keeps the newest `keep` backups. */
export function backupState(db: DatabaseSync, statePath: string, runId: string, keep: number): BackupOutcome {
  const path = `${statePath}${INFIX}${runId}${EXTENSION}`;
  for (const name of backupNames(statePath)) if (name.endsWith(PARTIAL)) rmSync(join(dirname(statePath), name), { force: true });
  const partial = `${path}${PARTIAL}`;
  db.prepare('VACUUM INTO ?').run(partial);
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
