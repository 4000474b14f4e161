// "Why wasn't member X updated?" in one command, and progress for people and for log collectors.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { createProgress } from '../../src/report/progress.ts';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const CREDENTIALS = { VIPPS_CLIENT_ID: 'c', VIPPS_CLIENT_SECRET: 's', VIPPS_SUBSCRIPTION_KEY: 'k', VIPPS_MERCHANT_SERIAL_NUMBER: '1' };

describe('explain', () => {
  it('says a member with a rejected row was left untouched, why, and what it has had so far', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    await syncOnce({ source: join(SAMPLES, 'night-2') }, dir, sandbox.url);
    const state = join(dir, 'state.sqlite');

    const held = await runCli(['explain', 'M-10029', '--state', state, '--source', join(SAMPLES, 'night-2')]);
    expect(held.code).toBe(0);
    expect(held.stdout).toContain('has rejected rows in this export: left untouched this run');
    expect(held.stdout).toMatch(/rejected: coupons\.csv:13 valid_to: expected a date .* got "2026-13-45"/);
    expect(held.stdout).toMatch(/The next run would send:\n {2}nothing/);
    expect(held.stdout).toMatch(/benefits\.member\.registered +accepted/);

    const reverted = await runCli(['explain', 'M-10019', '--state', state, '--source', join(SAMPLES, 'night-1'), '--json']);
    const explanation = JSON.parse(reverted.stdout);
    expect(explanation.export.differences.member).toEqual(['bonusPoints.balance: 415 → 340']);
    expect(explanation.export.differences.coupons).toEqual(['- CP-SURDEIG removed']);
    expect(explanation.export.nextEvents.map((event: { action: string }) => event.action)).toEqual([
      'benefits.member.updated',
      'benefits.coupons.synced',
      'benefits.stampCards.synced',
    ]);
    expect(explanation.history).toHaveLength(6);
    // The revision counts the events applied (all six were accepted), not the commits.
    expect(explanation.snapshot).toMatchObject({ deleted: false, rev: 6 });
  });

  it('explains a departed and an unknown member', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    const gone = await runCli(['explain', 'M-10007', '--state', join(dir, 'state.sqlite'), '--source', join(SAMPLES, 'night-2')]);
    expect(gone.stdout).toContain('not in the members export: would be deleted');
    expect(gone.stdout).toContain('benefits.member.deleted');
    const unknown = await runCli(['explain', 'NOPE', '--state', join(dir, 'state.sqlite')]);
    expect(unknown.stdout).toContain('not in the snapshot: never delivered');
    expect((await runCli(['explain', '--state', join(dir, 'state.sqlite')])).code).toBe(2);
  });
});

describe('progress off a terminal', () => {
  it('logs one structured progress line every interval while delivering', async () => {
    const sandbox = await sandboxForTest({ faults: { latencyMs: 10 } });
    const dir = tempDir();
    const result = await runCli(
      ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'r'), '--api-url', sandbox.url, '--concurrency', '2', '--progress-seconds', '0.2'],
      CREDENTIALS,
    );
    expect(result.code).toBe(0);
    const progress = result.stderr
      .split('\n')
      .filter((line) => line.includes('"msg":"progress"'))
      .map((line) => JSON.parse(line));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const delivering = progress.filter((line) => line.stage === 'deliver');
    expect(delivering.at(-1)).toMatchObject({ membersTotal: 60, failed: 0, eventsPerSec: expect.any(Number) });
    expect(delivering.at(-1).members).toBeGreaterThan(delivering[0].members);
  });
});

describe('progress on a terminal', () => {
  it('redraws one line with rows and MB/s, then events, rate and ETA, at most every 200 ms', () => {
    let clock = 0;
    const written: string[] = [];
    const progress = createProgress({ logger: createLogger({ level: 'silent' }), intervalMs: 30_000, terminal: { write: (text: string) => written.push(text), columns: 200 }, now: () => clock });
    clock = 1000;
    progress.ingest({ file: 'members.csv', rows: 10, bytes: 0, totalBytes: 4_000_000 });
    clock = 3000;
    progress.ingest({ file: 'members.csv', rows: 50_000, bytes: 2_000_000, totalBytes: 4_000_000 });
    progress.ingest({ file: 'members.csv', rows: 50_001, bytes: 2_000_010, totalBytes: 4_000_000 });
    clock = 4000;
    progress.deliver({ membersDone: 0, membersTotal: 100, eventsAccepted: 0, failed: 0 });
    clock = 6000;
    progress.deliver({ membersDone: 50, membersTotal: 100, eventsAccepted: 120, failed: 1 });
    progress.stop();
    expect(written).toEqual([
      '\r\x1b[2Kingest members.csv: 10 rows (0%) · 0 MB/s',
      '\r\x1b[2Kingest members.csv: 50000 rows (50%) · 1 MB/s',
      '\r\x1b[2Kdeliver: 0/100 members · 0 events · 0/s · ETA ? · 0 failed',
      '\r\x1b[2Kdeliver: 50/100 members · 120 events · 60/s · ETA 0:00:02 · 1 failed',
      '\r\x1b[2K',
    ]);
  });
});
