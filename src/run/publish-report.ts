// The last step of every run, including one that never got its state file open: the report files
// (report.json, report.html, metrics.prom, latest.json), the run's row in the state file, and the
// announcements (Pushgateway, webhook). Monitoring sees every run, whatever stopped it.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunConfig } from '../config/schema.ts';
import { createTelemetry } from '../deliver/telemetry.ts';
import { isSyncError, ReportError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { announceRun } from '../report/announce.ts';
import { buildReport, type RunFacts } from '../report/build-report.ts';
import { lastSuccessInMetrics } from '../report/metrics.ts';
import type { RunReport } from '../base/report-schema.ts';
import { writeReport } from '../report/write-report.ts';
import type { Source } from '../sources/source.ts';
import type { ColumnsByKind, RunRecord, RunsTable } from '../state/runs.ts';
import { verdictOf, type RunVerdict } from './run-verdict.ts';
import { noStageFacts } from './stage-facts.ts';

export interface SyncResult {
  report: RunReport;
  reportPath: string;
}

/** What the report says about how the run was started. */
export function reportOptions(config: RunConfig): RunReport['options'] {
  return {
    dryRun: config.dryRun,
    full: config.full,
    allowMassDelete: config.allowMassDelete,
    itemEvents: config.itemEvents,
    ...(config.shard && { shard: `${config.shard.index}/${config.shard.count}` }),
    ...(config.newState && { newState: true }),
    state: resolve(config.state),
  };
}

export interface Publication {
  /** Earlier runs, for the trend and the last success time. */
  history: readonly RunRecord[];
  /** The state file's runs table, when the run has a row there to finish. */
  runs?: RunsTable;
  logger: Logger;
  /**
   * False for a run that lost its lock: it owns nothing any more, and leaves only its own report behind
   * (no latest.json or metrics, no row finished, no announcement).
   */
  runOfRecord?: boolean;
  /** The columns each file of the export had, recorded with the run (the next run checks they are still there). */
  columnsByKind?: ColumnsByKind;
}

/** Writes the report and finishes the run's row, then announces the run. */
export async function publishReport(config: RunConfig, report: RunReport, { history, runs, logger, runOfRecord = true, columnsByKind }: Publication): Promise<SyncResult> {
  // From the runs table (however many runs came since), else from the metrics the last report left.
  const lastSuccessAt = runs ? runs.lastSucceededAt() : lastSuccessInMetrics(config.reportDir);
  let written: ReturnType<typeof writeReport> | undefined;
  try {
    written = writeReport(config.reportDir, report, { history, timeZone: config.timeZone, metricsJob: config.metricsJob, ...(lastSuccessAt && { lastSuccessAt }), runOfRecord });
  } catch (error) {
    throw new ReportError(`the report of run ${report.runId} could not be written to ${config.reportDir}: ${(error as Error).message}`, { cause: error });
  } finally {
    // Whatever happened to the report, the run's row does not stay `running`.
    try {
      if (runOfRecord) runs?.finish(written?.report ?? report, written?.reportPath, columnsByKind);
    } catch (error) {
      logger.warn({ stage: 'report', code: isSyncError(error) ? error.code : undefined, error: (error as Error).message }, 'could not record the run in the state file');
    }
  }
  // From here on, the report as written (redacted): what the webhook and stdout get.
  const { status, exitCode, members, events, rows } = written.report;
  logger.info(
    { stage: 'report', status, exitCode, members, events: { planned: events.planned, drained: events.drained, accepted: events.accepted, failed: events.failed }, rows, reportPath: written.reportPath },
    'run finished',
  );
  if (runOfRecord) await announceRun(config, written.report, written.reportPath, written.metrics, logger);
  return { report: written.report, reportPath: written.reportPath };
}

export interface EarlyEnd {
  config: RunConfig;
  source: Source;
  runId: string;
  startedAt: Date;
  finishedAt: Date;
  error: unknown;
  logger: Logger;
}

/** Errors that are not a run's to report: bad flags or configuration, or another run holding the lock. */
const NOT_A_RUN = new Set(['CONFIG_INVALID', 'USAGE', 'STATE_LOCKED']);

/** Whether the state file is there and not empty; one that cannot even be looked at counts as there. */
function stateFileHasContent(path: string): boolean {
  try {
    return (statSync(path, { throwIfNoEntry: false })?.size ?? 0) > 0;
  } catch {
    return true;
  }
}

/**
 * A run that never had its state file (none there, and none made) names none: its latest.json must not
 * count as a mark of a lost state file (src/run/state-stage.ts), unless this run was refused because one
 * was lost, which must go on being refused until the file is restored or started over.
 */
function earlyEndOptions(end: EarlyEnd): RunReport['options'] {
  const { state, ...options } = reportOptions(end.config);
  const hadStateFile = stateFileHasContent(end.config.state);
  const lost = isSyncError(end.error) && end.error.code === 'GUARD_STATE_MISSING';
  return hadStateFile || lost ? { ...options, state } : { ...options, stateMissing: true };
}

/**
 * The report of a run that ended before it could use its state file (lost, damaged, read-only, on a full
 * disk), so monitoring sees it. Configuration errors and a held lock are thrown on: they are not runs.
 */
export async function publishEarlyEnd(end: EarlyEnd): Promise<SyncResult> {
  if (isSyncError(end.error) && NOT_A_RUN.has(end.error.code)) throw end.error;
  logRunError(end.logger, end.error);
  const verdict = verdictOf(noStageFacts(), { stages: { stoppedBy: end.error }, aborted: false, failOnRejects: end.config.failOnRejects });
  return publishReport(end.config, buildReport(bareFacts(end, verdict, earlyEndOptions(end))), { history: [], logger: end.logger });
}

/** What the report says of a run that found nothing (or whose facts are lost): who, when, and its verdict. */
export function bareFacts(run: Omit<EarlyEnd, 'error' | 'logger'>, verdict: RunVerdict, options = reportOptions(run.config)): RunFacts {
  return {
    runId: run.runId,
    status: verdict.status,
    exitCode: verdict.exitCode,
    ...(verdict.error && { error: verdict.error }),
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    options,
    sourceDescription: run.source.description,
    placements: [],
    orphanRows: 0,
    failures: [],
    failureCount: 0,
    failedByChange: { new: 0, changed: 0, deleted: 0 },
    rejects: { byReason: [] },
    warnings: [...verdict.warnings],
    durationsMs: { drain: 0, ingest: 0, plan: 0, deliver: 0, total: Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()) },
    delivery: createTelemetry(run.startedAt.getTime()).summary(),
    plannedSample: {},
  };
}

/** An expected error is one line with its code; only an unexpected one (a bug) is logged with its stack. */
export function logRunError(logger: Logger, error: unknown): void {
  if (isSyncError(error)) logger.error({ stage: 'run', code: error.code, error: error.message }, 'run did not complete');
  else logger.error({ stage: 'run', code: 'INTERNAL', err: error }, 'run did not complete');
}
