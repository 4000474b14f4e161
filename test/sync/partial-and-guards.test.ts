// Failures and refusals: a member the API refuses is not committed and is retried next run; guards
// refuse an export that looks like data loss, before anything is sent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { refusingProxy } from '../fixtures/refusing-proxy.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const snapshotIds = (dir: string) => {
  const store = openStateStore(join(dir, 'state.sqlite'));
  try {
    return (store.db.prepare('SELECT contact_id FROM snapshot WHERE deleted = 0 ORDER BY contact_id').all() as { contact_id: string }[]).map((row) => row.contact_id);
  } finally {
    store.close();
  }
};

const members = (ids: string[]) => `contact_id,phone_number\n${ids.map((id, index) => `${id},4${String(1000000 + index).padStart(7, '0')}`).join('\n')}\n`;

describe('partial failure', () => {
  it('reports refused members, keeps them out of the snapshot, and delivers them once the API accepts', async () => {
    const sandbox = await sandboxForTest({ faults: { failContactIds: ['M-10005', 'M-10006'] } });
    const dir = tempDir();
    const first = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(first.report).toMatchObject({ status: 'partial', exitCode: 3, members: { failed: 2 } });
    expect(first.report.failures.map((failure) => [failure.contactId, failure.action, failure.status, failure.code])).toEqual([
      ['M-10005', 'benefits.member.registered', 400, 'API_REJECTED'],
      ['M-10006', 'benefits.member.registered', 400, 'API_REJECTED'],
    ]);
    expect(first.report.failures[0]!.detail).toContain('M-10005');
    expect(snapshotIds(dir)).not.toContain('M-10005');
    expect(snapshotIds(dir)).toHaveLength(58);

    sandbox.setFaults({ failContactIds: [] });
    const second = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(second.report).toMatchObject({ status: 'succeeded', exitCode: 0, members: { new: 2, failed: 0 } });
    expect(snapshotIds(dir)).toHaveLength(60);
    expect(sandbox.member('M-10005')?.member.contactId).toBe('M-10005');
    expect(sandbox.stats().anomalies).toEqual([]);
  });

  it('commits what was accepted of a member whose later event was refused', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const exportDir = writeFiles(tempDir(), { 'members.csv': members(['A']), 'coupons.csv': 'contact_id,coupon_id,title\nA,C1,Kaffe\n' });
    await syncOnce({ source: exportDir }, dir, sandbox.url);

    writeFiles(exportDir, { 'members.csv': 'contact_id,phone_number,tier\nA,41000000,gold\n', 'coupons.csv': 'contact_id,coupon_id,title\nA,C1,Kaffe\nA,C2,Bolle\n' });
    const proxy = await refusingProxy(sandbox.url, (event) => event.action === 'benefits.coupons.synced');
    const partial = await syncOnce({ source: exportDir }, dir, proxy);
    expect(partial.report).toMatchObject({ status: 'partial', events: { planned: 2, accepted: 1, failed: 1 } });
    expect(partial.report.failures[0]).toMatchObject({ contactId: 'A', action: 'benefits.coupons.synced', status: 400, detail: expect.stringContaining('refused by the test proxy') });
    expect(sandbox.member('A')!.member.tier).toBe('gold');

    const resumed = await syncOnce({ source: exportDir }, dir, sandbox.url);
    // Only the refused coupon sync is planned again: the accepted member update was committed.
    expect(resumed.report.events.plannedByAction).toEqual({ 'benefits.coupons.synced': 1 });
    expect(sandbox.member('A')!.coupons.map((coupon) => coupon.couponId)).toEqual(['C1', 'C2']);
  });
});

describe('safety guards', () => {
  it('refuses an export that deletes more than maxDeletePercent of known members, sending nothing', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const ids = Array.from({ length: 20 }, (_, index) => `M${String(index).padStart(2, '0')}`);
    const exportDir = writeFiles(tempDir(), { 'members.csv': members(ids) });
    await syncOnce({ source: exportDir }, dir, sandbox.url);
    const requests = sandbox.stats().requests;

    writeFiles(exportDir, { 'members.csv': members(ids.slice(0, 18)) });
    const refused = await syncOnce({ source: exportDir }, dir, sandbox.url);
    expect(refused.report).toMatchObject({ status: 'refused', exitCode: 4, error: { code: 'GUARD_MASS_DELETE' } });
    expect(refused.report.error!.message).toContain('2 of 20 known members (10.0% > 5%)');
    expect(sandbox.stats().requests).toBe(requests);
    expect(snapshotIds(dir)).toHaveLength(20);

    const allowed = await syncOnce({ source: exportDir, 'max-delete-percent': '10' }, dir, sandbox.url);
    expect(allowed.report).toMatchObject({ status: 'succeeded', members: { deleted: 2 } });
    expect(snapshotIds(dir)).toHaveLength(18);
  });

  it('refuses an empty members file unless --allow-mass-delete', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const exportDir = writeFiles(tempDir(), { 'members.csv': members(['A', 'B']) });
    await syncOnce({ source: exportDir }, dir, sandbox.url);
    writeFiles(exportDir, { 'members.csv': 'contact_id,phone_number\n' });
    const refused = await syncOnce({ source: exportDir }, dir, sandbox.url);
    expect(refused.report).toMatchObject({ status: 'refused', exitCode: 4, error: { code: 'GUARD_EMPTY_FILE' } });
    expect(snapshotIds(dir)).toEqual(['A', 'B']);
    const forced = await syncOnce({ source: exportDir, 'allow-mass-delete': true }, dir, sandbox.url);
    expect(forced.report).toMatchObject({ status: 'succeeded', members: { deleted: 2 } });
    expect(sandbox.members()).toEqual([]);
  });

  it('refuses a file far shorter than the same kind in the last successful run', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const ids = Array.from({ length: 40 }, (_, index) => `M${String(index).padStart(2, '0')}`);
    const coupons = (count: number) => `contact_id,coupon_id,title\n${ids.slice(0, count).map((id) => `${id},C1,Kaffe`).join('\n')}\n`;
    const exportDir = writeFiles(tempDir(), { 'members.csv': members(ids), 'coupons.csv': coupons(40) });
    await syncOnce({ source: exportDir }, dir, sandbox.url);
    writeFiles(exportDir, { 'coupons.csv': coupons(12) });
    const refused = await syncOnce({ source: exportDir }, dir, sandbox.url);
    expect(refused.report).toMatchObject({ status: 'refused', exitCode: 4, error: { code: 'GUARD_TRUNCATED_FILE' } });
    expect(refused.report.error!.message).toContain('coupons.csv has 12 rows, 30.0% of the 40 in the last successful run (minimum 50%)');
    expect(sandbox.members().filter((member) => member.coupons.length > 0)).toHaveLength(40);
    // With the row guard lowered, the mass-clear guard still sees 28 of 40 coupon sets emptied.
    const lowered = await syncOnce({ source: exportDir, 'min-rows-percent': '25' }, dir, sandbox.url);
    expect(lowered.report).toMatchObject({ status: 'refused', exitCode: 4, error: { code: 'GUARD_MASS_CLEAR' } });
    const allowed = await syncOnce({ source: exportDir, 'min-rows-percent': '25', 'allow-mass-clear': true }, dir, sandbox.url);
    expect(allowed.report).toMatchObject({ status: 'succeeded', members: { changed: 28 } });
  });

  it('does not delete anybody when a members row cannot be attributed', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const exportDir = writeFiles(tempDir(), { 'members.csv': members(['A', 'B']) });
    await syncOnce({ source: exportDir }, dir, sandbox.url);
    writeFiles(exportDir, { 'members.csv': 'contact_id,phone_number\n,41000001\n' });
    const run = await syncOnce({ source: exportDir, 'allow-mass-delete': true }, dir, sandbox.url);
    expect(run.report).toMatchObject({ status: 'succeeded', members: { deleted: 0 }, rows: { rejected: 1 } });
    expect(run.report.warnings.join()).toContain('no member is deleted this run');
    expect(sandbox.members().map((member) => member.contactId)).toEqual(['A', 'B']);
  });
});
