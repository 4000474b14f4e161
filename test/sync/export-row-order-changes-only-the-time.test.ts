// An export whose rows come in contact_id order is staged in plain files of rows, any other order in
// keyed tables (src/state/sorted-rows.ts). Which one a night takes must change only its time: the same
// night in contact_id order and shuffled plans the same events under the same ids, rejects the same
// rows for the same reasons, and leaves the API holding the same. Duplicates sit next to their first
// row in the ordered file (where the sorted path must find them) and an orphan item row sits in order.
import { cpSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { generateExportPair } from '../../src/bench/generate-export.ts';
import { openStateStore } from '../../src/state/store.ts';
import { sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { shuffled } from '../fixtures/shuffle.ts';

const MEMBERS = 300;
const EXPORTED_AT = new Date('2026-11-30T23:00:00Z');

const csv = (records: string[][]) => records.map((record) => `${record.map((field) => `"${field.replace(/"/g, '""')}"`).join(',')}\n`).join('');

/** Writes night-1 of `source` into `ordered` (contact_id order, with duplicates and an orphan) and `mixed` (the same rows shuffled). */
function twoOrders(source: string, ordered: string, mixed: string): void {
  for (const file of readdirSync(source)) {
    const [header, ...rows] = parse(readFileSync(join(source, file)), { bom: true, relax_column_count: true }) as string[][];
    if (file === 'members.csv' || file === 'coupons.csv') {
      // The same row twice, one after the other: the second is a duplicate key.
      rows.splice(11, 0, [...rows[10]!]);
    }
    if (file === 'coupons.csv') {
      const orphan = [...rows[40]!];
      orphan[0] = `${orphan[0]}x`;
      orphan[1] = 'CP-ORPHAN';
      rows.splice(rows.findIndex((row) => row[0]! > orphan[0]!), 0, orphan);
    }
    writeFileSync(join(ordered, file), csv([header!, ...rows]));
    writeFileSync(join(mixed, file), csv([header!, ...shuffled(rows, file.length)]));
    // The export's time (its newest file's) is every event's timestamp, and part of its id.
    for (const night of [ordered, mixed]) utimesSync(join(night, file), EXPORTED_AT, EXPORTED_AT);
  }
}

async function twoNights(nights: string[]) {
  const dir = tempDir();
  const sandbox = await sandboxForTest();
  // One request at a time: the sandbox receives the events in the same order in both runs.
  const reports: RunReport[] = [];
  const outbox: unknown[][] = [];
  for (const night of nights) {
    await syncOnce({ source: night, concurrency: '1', 'max-delete-percent': '100' }, dir, sandbox.url);
    reports.push(JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')) as RunReport);
    const store = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
    outbox.push(store.db.prepare('SELECT contact_id, event_id, action, status FROM outbox_events ORDER BY contact_id, seq').all());
    store.close();
  }
  const events = sandbox.events().map(({ receivedAt: _, ...event }) => event);
  const members = sandbox.members({ includeDeleted: true }).map(({ lastEventAt: _, ...member }) => member);
  return { reports, outbox, events, members };
}

/** What a report says about the plan, without what differs with the rows' order (lines) or between any two runs. */
function planned(report: RunReport) {
  const { members, events, rows, plannedSample, untouched, rejects, failures, warnings } = report;
  return { members, events, rows, plannedSample, untouched: untouched.map((member) => [member.contactId, member.reason]), rejects: rejects.byReason.map(({ reason, count }) => [reason, count]), failures, warnings };
}

describe('the order of an export’s rows', () => {
  it('changes nothing the run plans, sends, rejects or records', async () => {
    const source = tempDir();
    generateExportPair({ out: source, members: MEMBERS, seed: 21, changeRate: 0.2 });
    const ordered = join(tempDir(), 'night-1');
    const mixed = join(tempDir(), 'night-1');
    mkdirSync(ordered);
    mkdirSync(mixed);
    twoOrders(join(source, 'night-1'), ordered, mixed);
    // Night 2 as the generator writes it (each file in its own order): both runs go on from their night 1.
    const nightTwo = tempDir();
    cpSync(join(source, 'night-2'), nightTwo, { recursive: true });

    const inOrder = await twoNights([ordered, nightTwo]);
    const outOfOrder = await twoNights([mixed, nightTwo]);

    // The night did what the comparison needs: duplicates and an orphan rejected, events sent.
    const reasons = inOrder.reports[0]!.rejects.byReason.map((entry) => entry.reason).join(' | ');
    expect(reasons).toMatch(/duplicate key/);
    expect(reasons).toMatch(/members file/);
    expect(inOrder.reports[0]!.events.planned).toBeGreaterThan(MEMBERS);
    expect(inOrder.reports[1]!.members.changed).toBeGreaterThan(0);

    for (const night of [0, 1]) {
      expect(planned(outOfOrder.reports[night]!)).toEqual(planned(inOrder.reports[night]!));
      expect(outOfOrder.outbox[night]).toEqual(inOrder.outbox[night]);
    }
    expect(outOfOrder.events).toEqual(inOrder.events);
    expect(outOfOrder.members).toEqual(inOrder.members);
  });
});
