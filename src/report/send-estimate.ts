// How long sending will take: "2,907,555 events ≈ 4 h 02 min at 200/s". The rate is --max-rate when set,
// else the rate the last run that sent for a while measured (from the state file's runs table), and the
// lower of the two when both are known: a cap is a ceiling, not a promise. Pure.
import type { RunReport } from '../base/report-schema.ts';
import type { RunRecord } from '../state/runs.ts';
import { formatCount, formatDuration } from './display-format.ts';

export type SendEstimate = NonNullable<RunReport['sendEstimate']>;

/** A run that sent for less than this measured mostly its start: too short to predict a long night. */
const MIN_MEASURED_SECONDS = 10;

/** The send rate of the newest run (of `history`, any order) that sent for long enough. */
export function lastMeasuredRate(history: readonly RunRecord[]): { eventsPerSec: number; runId: string } | undefined {
  const newestFirst = [...history].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.runId.localeCompare(a.runId));
  for (const run of newestFirst) {
    const summary = run.summary;
    if (!summary) continue;
    const seconds = (summary.durationsMs.drain + summary.durationsMs.deliver) / 1000;
    if (seconds >= MIN_MEASURED_SECONDS && summary.events.accepted > 0) return { eventsPerSec: summary.events.accepted / seconds, runId: run.runId };
  }
  return undefined;
}

export function estimateSending(events: number, rates: { maxRate?: number; history: readonly RunRecord[] }): SendEstimate | undefined {
  if (events <= 0) return undefined;
  const measured = lastMeasuredRate(rates.history);
  const basis =
    rates.maxRate !== undefined && (!measured || rates.maxRate <= measured.eventsPerSec)
      ? { eventsPerSec: rates.maxRate, basis: 'max-rate' as const }
      : measured && { eventsPerSec: measured.eventsPerSec, basis: 'last run' as const, runId: measured.runId };
  if (!basis) return undefined;
  const eventsPerSec = basis.eventsPerSec >= 10 ? Math.round(basis.eventsPerSec) : Math.round(basis.eventsPerSec * 10) / 10;
  return { events, ...basis, eventsPerSec, seconds: Math.ceil(events / basis.eventsPerSec) };
}

/** "2,907,555 events ≈ 4 h 02 min at 200/s (--max-rate)". */
export function describeEstimate(estimate: SendEstimate): string {
  const basis = estimate.basis === 'max-rate' ? '--max-rate' : `measured by run ${estimate.runId}`;
  return `${formatCount(estimate.events)} events ≈ ${formatDuration(estimate.seconds * 1000)} at ${formatCount(estimate.eventsPerSec)}/s (${basis})`;
}

export interface SendingLeft {
  waiting?: NonNullable<RunReport['waiting']>;
  sendEstimate?: SendEstimate;
  warnings: string[];
}

/**
 * What the report says about sending still to come: a dry run's planned events, or what waits in the
 * outbox after a run (and, when the deadline stopped it, a warning saying so and when it will be done).
 */
export function sendingLeft(run: {
  dryRun: boolean;
  plannedEvents: number;
  /** Pending in the outbox at the end of a real run. */
  waiting?: { members: number; events: number };
  stoppedAtDeadline: boolean;
  deadlineMinutes?: number;
  maxRate?: number;
  history: readonly RunRecord[];
}): SendingLeft {
  const rates = { ...(run.maxRate !== undefined && { maxRate: run.maxRate }), history: run.history };
  if (run.dryRun) {
    const sendEstimate = estimateSending(run.plannedEvents, rates);
    return { ...(sendEstimate && { sendEstimate }), warnings: [] };
  }
  const waiting = run.waiting && run.waiting.members > 0 ? run.waiting : undefined;
  if (!waiting) return { warnings: [] };
  const sendEstimate = estimateSending(waiting.events, rates);
  const warnings = run.stoppedAtDeadline
    ? [
        `the run's deadline (--deadline-minutes ${run.deadlineMinutes}) was reached: ${formatCount(waiting.members)} members with ${formatCount(waiting.events)} events wait in the outbox, ` +
          `and the next run sends them first${sendEstimate ? ` (${describeEstimate(sendEstimate)})` : ''}`,
      ]
    : [];
  return { waiting, ...(sendEstimate && { sendEstimate }), warnings };
}
