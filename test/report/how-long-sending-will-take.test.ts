// How long sending will take, as --dry-run and the report say it: at --max-rate, or at the rate the last
// run that sent for a while measured, whichever is lower.
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/state/runs.ts';
import { describeEstimate, estimateSending, lastMeasuredRate, sendingLeft } from '../../src/report/send-estimate.ts';

function pastRun(runId: string, startedAt: string, accepted: number, sendingMs: number): RunRecord {
  return {
    runId,
    startedAt,
    status: 'succeeded',
    summary: {
      members: { total: 0, new: 0, changed: 0, unchanged: 0, deleted: 0, failed: 0, untouched: 0 },
      events: { planned: accepted, accepted, failed: 0, retries: 0, drained: 0, byAction: {}, plannedByAction: {} },
      rows: { read: 0, rejected: 0 },
      durationsMs: { drain: sendingMs / 4, ingest: 1000, plan: 1000, deliver: (sendingMs * 3) / 4, total: sendingMs + 2000 },
    },
  };
}

describe('how long sending will take', () => {
  it('says it as the issue does: "2,907,555 events ≈ 4 h 02 min at 200/s"', () => {
    const estimate = estimateSending(2_907_555, { maxRate: 200, history: [] })!;
    expect(estimate).toEqual({ events: 2_907_555, eventsPerSec: 200, seconds: 14_538, basis: 'max-rate' });
    expect(describeEstimate(estimate)).toBe('2,907,555 events ≈ 4 h 02 min at 200/s (--max-rate)');
  });

  it('takes the newest run that sent for at least 10 s (drain and deliver), whatever the order of the history', () => {
    const history = [
      pastRun('r-3', '2026-11-24T02:00:00Z', 31, 400), // a quiet night: mostly the start of sending
      pastRun('r-1', '2026-11-22T02:00:00Z', 10_000, 20_000),
      pastRun('r-2', '2026-11-23T02:00:00Z', 60_000, 40_000),
      { runId: 'r-4', startedAt: '2026-11-25T02:00:00Z', status: 'running' } as RunRecord,
    ];
    expect(lastMeasuredRate(history)).toEqual({ eventsPerSec: 1500, runId: 'r-2' });
    const estimate = estimateSending(90_000, { history })!;
    expect(describeEstimate(estimate)).toBe('90,000 events ≈ 1 min 00 s at 1,500/s (measured by run r-2)');
    expect(estimateSending(90_000, { history: [history[0]!] })).toBeUndefined();
  });

  it('takes the lower of --max-rate and the measured rate', () => {
    const history = [pastRun('r-1', '2026-11-22T02:00:00Z', 15_000, 100_000)]; // 150/s
    expect(estimateSending(1000, { maxRate: 200, history })).toMatchObject({ eventsPerSec: 150, basis: 'last run', runId: 'r-1' });
    expect(estimateSending(1000, { maxRate: 100, history })).toMatchObject({ eventsPerSec: 100, basis: 'max-rate' });
    expect(estimateSending(0, { maxRate: 100, history })).toBeUndefined();
  });

  it('for a report: a dry run estimates its plan; a real run what waits, with a warning when the deadline stopped it', () => {
    const history = [pastRun('r-1', '2026-11-22T02:00:00Z', 15_000, 100_000)];
    expect(sendingLeft({ dryRun: true, plannedEvents: 300, stoppedAtDeadline: false, history })).toEqual({
      sendEstimate: { events: 300, eventsPerSec: 150, seconds: 2, basis: 'last run', runId: 'r-1' },
      warnings: [],
    });
    expect(sendingLeft({ dryRun: false, plannedEvents: 300, waiting: { members: 0, events: 0 }, stoppedAtDeadline: false, history })).toEqual({ warnings: [] });
    const stopped = sendingLeft({ dryRun: false, plannedEvents: 300, waiting: { members: 1_200, events: 3_000 }, stoppedAtDeadline: true, deadlineMinutes: 45, history });
    expect(stopped.waiting).toEqual({ members: 1_200, events: 3_000 });
    expect(stopped.warnings).toEqual([
      "the run's deadline (--deadline-minutes 45) was reached: 1,200 members with 3,000 events wait in the outbox, and the next run sends them first (3,000 events ≈ 20.0 s at 150/s (measured by run r-1))",
    ]);
    // Stopped by a signal: what waits is said, without the deadline's warning.
    expect(sendingLeft({ dryRun: false, plannedEvents: 300, waiting: { members: 5, events: 9 }, stoppedAtDeadline: false, history }).warnings).toEqual([]);
  });
});
