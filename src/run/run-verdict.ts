// The one place where a run's status, error and exit code are decided: a pure fold of what the stages
// returned and how the run ended (an error that stopped it, a stop signal, a lost lock, a final commit
// that failed).
import { exitCodeOfRun } from '../base/exit-codes.ts';
import type { RunReport, RunStatus } from '../base/report-schema.ts';
import { GuardError, isSyncError } from '../errors.ts';
import type { StageFacts, StagesEnd } from './stage-facts.ts';

export interface RunEnd {
  stages: StagesEnd;
  /** The finish's commit of delivered members failed (a coded error where the state file is at fault). */
  commitFailed?: unknown;
  /** The caller's stop signal fired. */
  aborted: boolean;
  /** `--fail-on-rejects`. */
  failOnRejects: boolean;
}

export interface RunVerdict {
  status: RunStatus;
  error?: ReportedError;
  exitCode: number;
  /**
   * False for a run that lost its lock: the state file, the export and latest.json belong to the run that
   * took over, and this run leaves only its own report behind.
   */
  ownsTheRun: boolean;
  /** Why a guard refused the run, for the report's warnings. */
  warnings: readonly string[];
}

export type ReportedError = NonNullable<RunReport['error']>;

const INTERRUPTED: ReportedError = {
  code: 'RUN_INTERRUPTED',
  message: 'run interrupted by a signal; accepted events were committed, the rest is resumed by the next run',
};

export function verdictOf(facts: StageFacts, end: RunEnd): RunVerdict {
  let status: RunStatus;
  let error: ReportedError | undefined;
  let refusal: GuardError | undefined;
  if (typeof end.stages === 'object') {
    const { stoppedBy } = end.stages;
    if (stoppedBy instanceof GuardError) refusal = stoppedBy;
    status = refusal ? 'refused' : 'failed';
    error = reportedError(stoppedBy);
  } else {
    status = statusOf(end.stages, facts);
  }
  if ('commitFailed' in end) {
    status = 'failed';
    error ??= reportedError(end.commitFailed);
  }
  if ((end.aborted || end.stages === 'interrupted') && status !== 'refused') {
    status = 'failed';
    error ??= INTERRUPTED;
  }
  return {
    status,
    ...(error && { error }),
    exitCode: exitCodeOfRun(status, error?.code, end.failOnRejects && heldBackRows(facts)),
    ownsTheRun: error?.code !== 'LOCK_LOST',
    warnings: refusal?.details ?? [],
  };
}

function statusOf(reached: Exclude<StagesEnd, object>, facts: StageFacts): RunStatus {
  if (reached === 'waiting') return 'partial';
  if (reached === 'delivered') {
    // Members that failed, or members the deadline left waiting in the outbox for the next run.
    const failed = (facts.drained?.membersFailed ?? 0) + (facts.delivered?.membersFailed ?? 0) > 0;
    return failed || facts.delivered?.totals?.stoppedAtDeadline ? 'partial' : 'succeeded';
  }
  return reached === 'interrupted' ? 'failed' : reached;
}

/** Rows were rejected or members left untouched (what --fail-on-rejects exits 5 for). */
function heldBackRows(facts: StageFacts): boolean {
  const rowsRejected = (facts.ingest?.rowsRejected ?? 0) + (facts.plan?.orphanRows ?? 0);
  return rowsRejected > 0 || (facts.plan?.planned?.members.untouched ?? 0) > 0;
}

export function reportedError(error: unknown): ReportedError {
  return isSyncError(error) ? { code: error.code, message: error.message } : { code: 'INTERNAL', message: (error as Error)?.message ?? String(error) };
}
