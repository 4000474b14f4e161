// Where exports come from. A source lists → fetches → hands over local files, and after the run's
// outcome is known, archives or quarantines them (drop folders) or leaves them be (plain folders).
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from '../log.ts';
import type { PulledExport, Pruned, FilePlacement } from '../base/run-shapes.ts';

/** What a source may use while pulling: the state file (e.g. for a ledger of processed files) and the log. */
export interface PullContext {
  db: DatabaseSync;
  logger: Logger;
  /**
   * A dry run moves nothing: a drop folder then also leaves already-processed and superseded exports in
   * place (it would otherwise archive them while pulling). Absent means a real run.
   */
  dryRun?: boolean;
  /**
   * For the report's warnings: what the source left alone and why (an export with a wrong manifest, a
   * symbolic link), so that an export skipped night after night is not only in a log line.
   */
  onWarning?: (warning: string) => void;
}

/**
 * `retry`: the run failed for a reason outside the export (the API, the state file, a signal): the
 * export stays where it is, to be synced again by the next run.
 */
export type RunOutcome = 'succeeded' | 'partial' | 'failed' | 'refused' | 'dry-run' | 'retry';

export interface Source {
  /** For logs and the report, without credentials. */
  readonly description: string;
  /** The export to sync, or undefined when there is none (the run is `skipped`). */
  pull(context: PullContext): Promise<PulledExport | undefined>;
  /**
   * Called once the run's outcome is known. `onWarning`: for the report, e.g. why the export stays in
   * place (a sharded run waits for the other shards).
   */
  putAway(pulled: PulledExport, outcome: RunOutcome, reason?: string, onWarning?: (warning: string) => void): Promise<FilePlacement[]>;
  /**
   * Where the source shows that an earlier run synced from it (e.g. a drop folder's dated archive
   * folder), or undefined: a mark that a state file existed (src/run/state-stage.ts). Sources that keep no
   * history leave it out.
   */
  syncedBefore?(logger: Logger): Promise<string | undefined>;
  /** Removes what the source kept of past runs beyond `olderThanDays` (archive/failed). */
  prune?(olderThanDays: number, logger: Logger): Promise<Pruned>;
  close(): Promise<void>;
}

/**
 * What a finished run means for its export: a failed run quarantines it only when the export itself is
 * at fault (a broken file, no members file); any other failure leaves it to be synced again.
 */
export function outcomeForSource(status: Exclude<RunOutcome, 'retry'> | 'skipped', errorCode: string | undefined): RunOutcome {
  if (status === 'skipped') return 'succeeded';
  if (status !== 'failed') return status;
  const exportAtFault = errorCode !== undefined && (errorCode.startsWith('CSV_') || errorCode === 'SOURCE_NO_MEMBERS' || errorCode === 'SOURCE_AMBIGUOUS');
  return exportAtFault ? 'failed' : 'retry';
}
