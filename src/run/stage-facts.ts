// What the stages of one run return: plain data, recorded in stage order by src/sync.ts, folded into the
// run's verdict (run-verdict.ts) and its report (finish-run.ts). A stage that can stop partway returns
// what it found up to then with the error that stopped it (`stoppedBy`): a refused plan still shows the
// events it would have sent, a delivery cut short the members that failed before.
import type { IngestResult } from '../base/export-shapes.ts';
import type { RunReport } from '../base/report-schema.ts';
import type { DeliveryTotals, PlannedRun, PulledExport } from '../base/run-shapes.ts';

export interface StageFacts {
  /** The run's row in the state file was started: the finish must finish it. */
  recorded: boolean;
  /** What an earlier run left in the outbox, delivered before planning afresh. */
  drained?: DeliveryFacts;
  /** Backups that the backup before this run's first commit rotated out. */
  stateBackupsRemoved?: string[];
  pull?: PullFacts;
  ingest?: IngestResult;
  plan?: PlanFacts;
  /** Tonight's plan, delivered. */
  delivered?: DeliveryFacts;
  durationsMs: StageDurations;
}

export type StageDurations = Record<'drain' | 'ingest' | 'plan' | 'deliver', number>;

export interface PullFacts {
  /** Undefined when the source has no export for this run (the run is `skipped`). */
  pulled?: PulledExport;
  /** What the source left alone and why (an export with a wrong manifest, a symbolic link). */
  warnings: string[];
  stoppedBy?: unknown;
}

export interface PlanFacts {
  /** Undefined when planning stopped (a guard refused the plan and rolled it back). */
  planned?: PlannedRun;
  /** The first planned events per action (also of a plan that was refused). */
  sample: RunReport['plannedSample'];
  /** Item rows whose member is not in the members export (rejected: see rejects.csv). */
  orphanRows: number;
  stoppedBy?: unknown;
}

export interface DeliveryFacts {
  /** Undefined when delivery stopped on an error. */
  totals?: DeliveryTotals;
  membersFailed: number;
  /** The first failed members with what failed (at most MAX_LISTED_FAILURES). */
  failures: RunReport['failures'];
  /** Failed members of tonight's plan by what the plan did with them (a drained plan counts none). */
  failedByChange: Record<'new' | 'changed' | 'deleted', number>;
  stoppedBy?: unknown;
}

/** Failed members listed by the report, of drain and tonight's delivery together (all are counted). */
export const MAX_LISTED_FAILURES = 1000;

/** How the stages ended: the last thing they came to, or the error that stopped them. */
/**
 * How the stages ended: `waiting`, the deadline stopped the drain of an earlier run's plans (tonight's
 * export waits for them); `delivered` may also have stopped at the deadline (delivered.totals says so).
 */
export type StagesEnd = 'skipped' | 'dry-run' | 'waiting' | 'delivered' | 'interrupted' | { stoppedBy: unknown };

export function noStageFacts(): StageFacts {
  return { recorded: false, durationsMs: { drain: 0, ingest: 0, plan: 0, deliver: 0 } };
}

/** Stops the run with the error that stopped a stage, once its facts are recorded. */
export function throwIfStopped(facts: { stoppedBy?: unknown }): void {
  if ('stoppedBy' in facts) throw facts.stoppedBy;
}

/** `work`'s time is added to the stage's duration, also when it throws. */
export async function timed<T>(durations: StageDurations, stage: keyof StageDurations, work: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    durations[stage] += Math.round(performance.now() - start);
  }
}
