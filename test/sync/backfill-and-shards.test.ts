// Backfill (--full, narrowed by --only / --contacts) and sharding (--shard i/N).
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/base/shard.ts';
import { SandboxClient } from '../sandbox/fixtures/sandbox-client.ts';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('backfill', () => {
  it('--full --only coupons resends every coupon set and repairs drift on the API side', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const expected = sandbox.member('M-10002')!.coupons;
    expect(expected.length).toBeGreaterThan(0);
    // Something outside loyalty-sync cleared this member's coupons.
    const client = new SandboxClient(sandbox.url);
    const drift = await client.sendEvent({ eventId: 'evt-drift', timestamp: '2026-11-24T12:00:00Z', action: 'benefits.coupons.synced', payload: { contactId: 'M-10002', phoneNumber: sandbox.member('M-10002')!.member.phoneNumber, coupons: [] } });
    expect(drift.status).toBe(200);
    await client.pool.close();

    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), full: true, only: 'coupons' }, dir, sandbox.url);
    expect(report).toMatchObject({ status: 'succeeded', options: { full: true } });
    expect(report.events.plannedByAction).toEqual({ 'benefits.coupons.synced': 60 });
    expect(sandbox.member('M-10002')!.coupons).toEqual(expected);
    // The snapshot did not change, so a normal run afterwards has nothing to send.
    const normal = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(normal.report.events.planned).toBe(0);
  });

  it('--full --contacts resends the listed members in full and warns about unknown ones', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const before = sandbox.events().length;
    const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), full: true, contacts: 'M-10007,M-99999' }, dir, sandbox.url);
    const sent = sandbox.events().slice(before).map((event) => [event.contactId, event.action]);
    expect(sent).toEqual([
      ['M-10007', 'benefits.member.updated'],
      ['M-10007', 'benefits.coupons.synced'],
      ['M-10007', 'benefits.stampCards.synced'],
      ['M-10007', 'benefits.bonusCheck.created'],
    ]);
    expect(report.events.accepted).toBe(4);
    expect(report.warnings).toEqual([expect.stringContaining('1 listed contact(s) are not in the members export and were not resent: M-99999')]);
  });

  it('refuses --only without --full as a usage error', async () => {
    const result = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--only', 'coupons', '--dry-run', '--state', join(tempDir(), 's.sqlite')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('use them with --full');
  });
});

describe('shards', () => {
  it('put every contact in exactly one shard, stably', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 16 }), (contactId, count) => {
        const shard = shardOf(contactId, count);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(count);
        expect(shardOf(contactId, count)).toBe(shard);
      }),
    );
    // The documented hash (README "Sharding"): changing it would move members between state files.
    expect(['M-10001', 'M-10002', 'c1b0dcc3-9878-4079-92aa-f3c00cada3ea'].map((id) => shardOf(id, 4))).toEqual([0, 2, 2]);
  });

  it('together cover every member exactly once, each shard with its own state file', async () => {
    const sandbox = await sandboxForTest();
    const totals: number[] = [];
    for (let index = 0; index < 3; index++) {
      const { report } = await syncOnce({ source: join(SAMPLES, 'night-1'), shard: `${index}/3` }, tempDir(), sandbox.url);
      expect(report.status).toBe('succeeded');
      totals.push(report.members.total);
    }
    expect(totals.every((total) => total > 0)).toBe(true);
    expect(totals.reduce((a, b) => a + b)).toBe(60);
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats()).toMatchObject({ accepted: 149, duplicates: 0, anomalies: [] });
  });
});
