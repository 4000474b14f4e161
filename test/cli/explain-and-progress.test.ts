// "Why wasn't member X updated?" in one command, and progress for people and for log collectors.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

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
      CREDENTIALS_ENV,
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

