// Opening the state file for a run, refusing a silent fresh start, and backing it up before a commit.
// A run that finds no state file (or an empty one, or one that never recorded a run) where earlier runs
// left their mark refuses with GUARD_STATE_MISSING (exit 4) before anything is read, sent or moved: from
// an empty snapshot it would register the whole club again and never delete the members who left.
// `--new-state` starts over on purpose.
//
// The marks, any one of which is enough:
// - `<report-dir>/latest.json` naming this state file (`options.state`; after a move, a lost one of the same
//   name), or written before reports named their state file;
// - backups beside the state file (`<state>.backup-*.sqlite`, src/state/backup.ts);
// - SQLite's `<state>-wal` or `<state>-shm` where the file itself is missing (removed while in use);
// - the source's own history, e.g. a drop folder's `archive/<YYYY-MM-DD>/` folders (Source.syncedBefore).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { RunConfig } from '../config/schema.ts';
import { GuardError, UsageError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Source } from '../sources/source.ts';
import { backupState, listStateBackups, type BackupOutcome } from '../state/backup.ts';
import { scopeEventIdsToMerchant, startEventIdEpoch } from '../state/state-meta.ts';
import { checkStateIfDue, knownStateError, openStateStore, type StateStore } from '../state/store.ts';
import type { RunContext } from './run-context.ts';

/** The run opening its state file: its id (a --new-state epoch), its start, and in a fleet its merchant. */
interface Opening {
  runId: string;
  now: Date;
  fleetMerchant?: string;
}

export async function openRunState(config: RunConfig, source: Source, logger: Logger, { runId, now, fleetMerchant }: Opening): Promise<StateStore> {
  const path = config.state;
  let size: number | undefined;
  try {
    size = statSync(path, { throwIfNoEntry: false })?.size;
  } catch (error) {
    throw knownStateError(error, path, 'cannot be read') ?? error;
  }
  if (!config.newState && !size) await refuseWhereMarked(config, source, logger, size === undefined ? 'no state file' : 'an empty state file');
  const store = openStateStore(path);
  try {
    const used = recordedAnything(store);
    if (!config.newState && size && !used) await refuseWhereMarked(config, source, logger, 'a state file that never recorded a run');
    if (config.newState) {
      const members = (store.db.prepare('SELECT count(*) AS n FROM snapshot').get() as { n: number }).n;
      if (members > 0) {
        throw new UsageError(
          `--new-state starts over only where there is no state file (or an empty one), but ${path} holds ${members} member(s). ` +
            'Run without --new-state; to really start over, move that file away first.',
        );
      }
      startEventIdEpoch(store.db, runId);
      logger.warn({ stage: 'state', state: path }, 'starting over with a new state file (--new-state): every member in the export is sent in full');
    }
    if (fleetMerchant) scopeEventIdsToMerchant(store.db, fleetMerchant);
    // A dry run opens the file to write too (its run is recorded), so it takes its turn at the check.
    const started = performance.now();
    if (checkStateIfDue(store, { force: config.checkState, everyDays: config.checkStateDays, now })) {
      logger.info({ stage: 'state', state: path, ms: Math.round(performance.now() - started) }, 'state file integrity checked (whole file)');
    }
    return store;
  } catch (error) {
    store.close();
    throw error;
  }
}

function recordedAnything(store: StateStore): boolean {
  const row = store.db.prepare('SELECT EXISTS (SELECT 1 FROM runs) OR EXISTS (SELECT 1 FROM snapshot) AS used').get() as { used: number };
  return row.used === 1;
}

async function refuseWhereMarked(config: RunConfig, source: Source, logger: Logger, found: string): Promise<void> {
  const marks = [...localMarks(config), ...(await sourceMarks(source, logger))];
  if (marks.length === 0) return;
  const path = config.state;
  const [newest] = listStateBackups(path);
  const restore = newest
    ? `Restore the newest backup (README "Restoring the state file"): rm -f '${path}-wal' '${path}-shm' && cp '${newest}' '${path}'; or, `
    : 'Restore the state file from your own backup (README "Restoring the state file"); or, ';
  throw new GuardError(
    'GUARD_STATE_MISSING',
    `${found} at ${path}, but earlier runs left their mark: ${marks.join('; ')}. ` +
      'From an empty state the run would register every member again and never delete the ones who left, so nothing was read or sent. ' +
      `${restore}to start over on purpose (every member in the export is sent in full once), run again with --new-state.`,
  );
}

/** Marks on this machine: the report folder's latest.json, backups and SQLite's files beside the state file. */
function localMarks(config: RunConfig): string[] {
  const path = config.state;
  const marks: string[] = [];
  const latest = join(config.reportDir, 'latest.json');
  const named = latestStateOf(latest);
  if (named === null) marks.push(`${latest} (written by an earlier run)`);
  else if (named !== undefined && namesThisStateFile(named, path)) marks.push(`${latest} names this state file`);
  const backups = listStateBackups(path);
  if (backups.length > 0) marks.push(`${backups.length} backup(s) beside it, the newest ${backups[0]}`);
  // Beside a state file that exists, they only mean it is open; without it, that it was removed while open.
  if (!existsSync(path)) for (const sidecar of [`${path}-wal`, `${path}-shm`]) if (existsSync(sidecar)) marks.push(`${sidecar} (left by SQLite while the file was in use)`);
  return marks;
}

/**
 * This state file, or one of the same name that is gone too: the folders were moved or mounted elsewhere
 * (a live state file elsewhere is another job's).
 */
function namesThisStateFile(named: string, path: string): boolean {
  return resolve(named) === resolve(path) || (basename(named) === basename(path) && !existsSync(named));
}

/**
 * The state file a latest.json names; null for a report from before reports named it (counted as a mark:
 * when in doubt, do not send), undefined when there is no readable latest.json or it names no state.
 */
function latestStateOf(latest: string): string | null | undefined {
  let report: { options?: { state?: unknown; stateMissing?: unknown } };
  try {
    report = JSON.parse(readFileSync(latest, 'utf8')) as typeof report;
  } catch {
    return undefined;
  }
  const state = report.options?.state;
  if (typeof state === 'string') return state;
  // A run that ended before it had a state file names none (src/run/publish-report.ts): not a mark.
  return report.options && report.options.stateMissing !== true ? null : undefined;
}

async function sourceMarks(source: Source, logger: Logger): Promise<string[]> {
  const evidence = await source.syncedBefore?.(logger);
  return evidence ? [`${evidence} (an export synced by an earlier run)`] : [];
}

/**
 * A consistent copy of the state file beside it (README "Restoring the state file"), before this run's
 * first commit (drain or plan), keeping the newest --state-backups (0: none); returns the backups that went.
 * A run that cannot back up commits nothing.
 */
export function backUpBeforeCommit(run: RunContext): string[] {
  // A run that lost its lock must not write or rotate the backups of the run that took over.
  run.lock.assertHeld();
  return backUpState(run.store, run.config.stateBackups, run.runId, run.logger);
}

function backUpState(store: StateStore, keep: number, runId: string, logger: Logger): string[] {
  if (keep === 0) return [];
  let outcome: BackupOutcome;
  try {
    outcome = backupState(store.path, runId, keep);
  } catch (error) {
    throw knownStateError(error, store.path, 'could not be backed up before this run commits (nothing was sent)') ?? error;
  }
  logger.info({ stage: 'state', backup: outcome.path, removed: outcome.removed.length }, 'state file backed up');
  return outcome.removed;
}
