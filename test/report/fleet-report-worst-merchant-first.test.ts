// The fleet report's order and exit code: rows worst first, the fleet's exit code its worst merchant's,
// in the documented order (EXIT_SEVERITY: 1, 2, 4, 3, 75, 5, 0); a held lock is a skipped merchant.
import { describe, expect, it } from 'vitest';
import { EXIT_SEVERITY, worstExitCode } from '../../src/base/exit-codes.ts';
import type { MerchantRow } from '../../src/base/fleet-report-schema.ts';
import { StateError } from '../../src/errors.ts';
import { buildFleetReport, merchantRowOf } from '../../src/report/fleet-report.ts';

const row = (id: string, exitCode: number, status: MerchantRow['status'] = exitCode === 0 ? 'succeeded' : 'failed', failures = 0): MerchantRow => ({
  id,
  merchantSerialNumber: '1',
  status,
  exitCode,
  membersChanged: 0,
  events: { planned: 0, accepted: 0, failed: 0 },
  failures,
  rejects: 0,
  durationMs: 0,
});

describe('fleet report order', () => {
  it('exits with the worst merchant\'s code: 1, then 2, 4, 3, 75, 5, 0', () => {
    expect(EXIT_SEVERITY).toEqual([1, 2, 4, 3, 75, 5, 0]);
    expect(worstExitCode([0, 5, 75, 3])).toBe(3);
    expect(worstExitCode([3, 4])).toBe(4);
    expect(worstExitCode([4, 2, 0])).toBe(2);
    expect(worstExitCode([2, 1])).toBe(1);
    expect(worstExitCode([0, 75])).toBe(75);
    expect(worstExitCode([])).toBe(0);
    // A code outside the table (a crash by signal) counts as a failure.
    expect(worstExitCode([3, 137])).toBe(137);
  });

  it('lists merchants worst first, then by failures, then by id; its status and exit code are the worst row\'s', () => {
    const report = buildFleetReport({
      fleetRunId: 'f',
      startedAt: new Date(0),
      finishedAt: new Date(1000),
      merchantsInFile: 6,
      merchantConcurrency: 4,
      maxRequestsInFlight: 64,
      rows: [row('ok-b', 0), row('partial-few', 3, 'partial', 1), row('ok-a', 0), row('refused', 4, 'refused'), row('partial-many', 3, 'partial', 9), row('locked', 75, 'skipped')],
    });
    expect(report.rows.map((entry) => entry.id)).toEqual(['refused', 'partial-many', 'partial-few', 'locked', 'ok-a', 'ok-b']);
    expect(report).toMatchObject({ status: 'refused', exitCode: 4, durationMs: 1000, merchants: { total: 6, byStatus: { succeeded: 2, partial: 2, refused: 1, skipped: 1 } } });
  });

  it('makes a merchant whose lock another run holds a skipped row with exit 75', () => {
    const locked = merchantRowOf({ id: 'm', merchantSerialNumber: '1', error: new StateError('STATE_LOCKED', 'held by pid 1'), durationMs: 5 }, '/r/fleet/f');
    expect(locked).toMatchObject({ status: 'skipped', exitCode: 75, error: { code: 'STATE_LOCKED' } });
    const bug = merchantRowOf({ id: 'm', merchantSerialNumber: '1', error: new TypeError('x is undefined'), durationMs: 5 }, '/r/fleet/f');
    expect(bug).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'INTERNAL' } });
  });
});
