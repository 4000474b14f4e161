// Planning in lanes side by side (`--plan-threads`, src/run/plan-lanes.ts) must plan exactly what one lane
// plans: the same events with the same ids and bytes, the same report and rejects, and the API ends up
// holding the same. Two merchants' worth of the same nights, one planned in one thread and one in three
// (two worker threads), each against its own sandbox: night 1 with answers lost after the API applied
// the event (events in doubt, which night 2 re-sends or overrides), night 2 with changes and deletions,
// both nights with orphan item rows and rejected rows that fall into every lane.
import { appendFileSync, copyFileSync, cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { generateExportPair } from '../../src/bench/generate-export.ts';
import { openStateStore } from '../../src/state/store.ts';
import { sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const MEMBERS = 200;

/** Rows that are rejected or orphaned, in the first, middle and last part of the contact ids (in the file's own dialect). */
function spoil(night: string): void {
  const append = (file: string, rows: string[][]) => {
    const path = join(night, file);
    const header = readFileSync(path, 'latin1').split('\n', 1)[0]!;
    const delimiter = header.includes(';') ? ';' : ',';
    const lineEnd = header.endsWith('\r') ? '\r\n' : '\n';
    appendFileSync(path, rows.map((row) => `${row.join(delimiter)}${lineEnd}`).join(''));
  };
  const orphan = (contactId: string, code: string) => [contactId, 'CP-ORPHAN', 'Orphan', '', code, 'percentage', '10', '', '2025-11-01', '2025-12-31'];
  append('coupons.csv', [orphan('M-0000000', 'ORPH-1'), orphan('M-0000100x', 'ORPH-2'), orphan('M-9999999', 'ORPH-3')]);
  append('stamp_cards.csv', [['M-0000150', 'SC-BAD', 'Bad card', 'not-a-number', '1', 'Reward', '', '']]);
}

interface Outcome {
  reports: RunReport[];
  rejects: string[];
  events: unknown[];
  members: unknown[];
  outbox: unknown[][];
}

async function twoNights(source: string, threads: string): Promise<Outcome> {
  const dir = tempDir();
  // Answers that are not the API's JSON after the event was applied, in the same order for both runs (one
  // request at a time, one attempt each): the same events end in doubt.
  const sandbox = await sandboxForTest({ faults: { nonJsonAcceptRate: 0.1, seed: 7 } });
  const flags = { 'plan-threads': threads, concurrency: '1', 'max-attempts': '1', 'max-failures-in-a-row': '100000', 'max-delete-percent': '100' };
  const reports: RunReport[] = [];
  const rejects: string[] = [];
  const outbox: unknown[][] = [];
  for (const night of ['night-1', 'night-2']) {
    if (night === 'night-2') sandbox.setFaults({ nonJsonAcceptRate: 0 });
    const result = await syncOnce({ source: join(source, night), ...flags }, dir, sandbox.url);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')) as RunReport;
    reports.push(report);
    rejects.push(readFileSync(join(dir, 'reports', report.runId, 'rejects.csv'), 'utf8'));
    expect(result.report?.runId).toBe(report.runId);
    const store = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
    outbox.push(store.db.prepare('SELECT contact_id, event_id, action, status, in_doubt FROM outbox_events ORDER BY contact_id, seq').all());
    store.close();
  }
  const events = sandbox.events().map(({ receivedAt: _, ...event }) => event);
  const members = sandbox.members({ includeDeleted: true }).map(({ lastEventAt: _, ...member }) => member);
  return { reports, rejects, events, members, outbox };
}

/** What a report says about the plan, without what differs between any two runs (ids, times, paths). */
function planned(report: RunReport) {
  const { members, events, rows, plannedSample, untouched, rejects, failures, warnings } = report;
  return { members, events, rows, plannedSample, untouched, rejects: rejects.byReason, failures, warnings };
}

describe('plan lanes', () => {
  it('plan, send and record exactly what one lane does, events in doubt, deletions and rejects included', async () => {
    const source = tempDir();
    generateExportPair({ out: source, members: MEMBERS, seed: 11, changeRate: 0.2 });
    for (const night of ['night-1', 'night-2']) spoil(join(source, night));
    const copy = tempDir();
    cpSync(source, copy, { recursive: true });

    const one = await twoNights(source, '1');
    const three = await twoNights(copy, '3');

    // The nights did what the comparison needs: doubts re-sent or overridden, deletions, orphans, rejects.
    expect(one.reports[0]!.events.planned).toBeGreaterThan(MEMBERS);
    expect(one.reports[1]!.members.deleted).toBeGreaterThan(0);
    expect((one.outbox[0] as { in_doubt: number }[]).filter((event) => event.in_doubt === 1).length).toBeGreaterThan(5);
    expect(one.rejects[1]).toContain('M-9999999');
    expect(one.rejects[1]).toContain('stamps_required');

    for (const night of [0, 1]) {
      expect(planned(three.reports[night]!)).toEqual(planned(one.reports[night]!));
      expect(three.rejects[night]).toBe(one.rejects[night]);
      expect(three.outbox[night]!.length).toBe(one.outbox[night]!.length);
      expect(three.outbox[night]).toEqual(one.outbox[night]);
    }
    expect(three.events).toEqual(one.events);
    expect(three.members).toEqual(one.members);
  });

  it("stop the run with a worker lane's error as with the main thread's: the same error, nothing planned is kept", async () => {
    const source = tempDir();
    generateExportPair({ out: source, members: MEMBERS, seed: 12, changeRate: 0.2 });
    const sandbox = await sandboxForTest();
    const built = tempDir();
    await syncOnce({ source: join(source, 'night-1') }, built, sandbox.url);
    // Unreadable documents for the second half of the members: whoever plans a changed one there fails.
    const store = openStateStore(join(built, 'state.sqlite'));
    store.db.prepare(`UPDATE snapshot_docs SET docs = x'00ff00ff' WHERE contact_id >= 'M-0000101'`).run();
    store.close();

    const nightTwo = async (threads: string) => {
      const dir = tempDir();
      copyFileSync(join(built, 'state.sqlite'), join(dir, 'state.sqlite'));
      const result = await syncOnce({ source: join(source, 'night-2'), 'plan-threads': threads, 'max-delete-percent': '100' }, dir, sandbox.url);
      const state = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
      const planned = state.db.prepare('SELECT count(*) AS n FROM outbox_members').get();
      state.close();
      return { status: result.report.status, error: result.report.error, planned };
    };
    const one = await nightTwo('1');
    expect(one.status).not.toBe('success');
    expect(one.error?.message).toBeTruthy();
    expect(one.planned).toEqual({ n: 0 });
    expect(await nightTwo('2')).toEqual(one);
  });
});
