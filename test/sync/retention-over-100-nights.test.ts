// Storage limitation: 100 nights of a drop folder synced against the sandbox, on a clock handed in, leave
// the last 90 days of report folders (--report-retention-days) and the last 30 days of archive/ and
// failed/ (--archive-retention-days); latest.json, metrics.prom, incoming/ and names that are not ours
// stay. Pruning is listed in report.json and never fails a run.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import type { RunReport } from '../../src/base/report-schema.ts';
import { openSource } from '../../src/sources/open-source.ts';
import { runSync } from '../../src/sync.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { configFor, SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const DAY_MS = 86_400_000;
const FIRST_NIGHT = Date.parse('2026-01-01T01:30:00Z');
const RUN_ID = /^\d{8}T\d{6}(\.\d{3})?Z-[0-9a-f]{6}$/;
const osloDay = (at: number) => new Date(at).toLocaleDateString('sv-SE', { timeZone: 'Europe/Oslo' });

/** A small export that differs every night (bonus points), so every night syncs. */
function dropExport(root: string, night: number, broken: boolean): void {
  const incoming = join(root, 'incoming');
  writeFileSync(join(incoming, 'members.csv'), `contact_id,phone_number,bonus_points\nM-1,+4741234567,${night}\nM-2,+4741234568,${night * 2}\n`);
  // A coupons file without its required columns: the export is at fault and goes to failed/.
  if (broken) writeFileSync(join(incoming, 'coupons.csv'), 'contact_id,note\nM-1,x\n');
  writeFileSync(join(incoming, '.done'), '');
}

describe('retention over 100 nights', () => {
  it('keeps 90 days of report folders and 30 days of archive and failed exports', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const root = join(dir, 'drop');
    mkdirSync(join(root, 'incoming'), { recursive: true });
    mkdirSync(join(root, 'archive', 'not-a-day'), { recursive: true });
    writeFileSync(join(root, 'incoming', 'notes.txt'), 'the merchant keeps this here');
    utimesSync(join(root, 'incoming', 'notes.txt'), new Date(FIRST_NIGHT), new Date(FIRST_NIGHT));
    const brokenNights = new Set([4, 94]);
    const reports: RunReport[] = [];

    for (let night = 0; night < 100; night++) {
      const at = FIRST_NIGHT + night * DAY_MS;
      const now = () => new Date(at);
      dropExport(root, night, brokenNights.has(night));
      const config = configFor({ source: root }, dir, sandbox.url);
      const { report } = await runSync({ config, source: openSource(root, config, { now }), logger: createLogger({ level: 'silent' }), now });
      expect(report.status, `night ${night}`).toBe(brokenNights.has(night) ? 'failed' : 'succeeded');
      reports.push(report);
      // failed/ entries age by their files' times: give them the simulated night's.
      if (brokenNights.has(night)) {
        for (const entry of readdirSync(join(root, 'failed'), { withFileTypes: true })) utimesSync(join(root, 'failed', entry.name), now(), now());
      }
    }

    const runFolders = readdirSync(join(dir, 'reports')).filter((name) => RUN_ID.test(name)).sort();
    expect(runFolders).toEqual(reports.slice(10).map((report) => report.runId));
    expect(readdirSync(join(dir, 'reports')).sort()).toEqual([...runFolders, 'latest.json', 'metrics.prom'].sort());
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')).runId).toBe(reports[99]!.runId);

    const archived = readdirSync(join(root, 'archive')).sort();
    const lastThirtyDays = Array.from({ length: 30 }, (_, index) => osloDay(FIRST_NIGHT + (70 + index) * DAY_MS));
    expect(archived).toEqual([...lastThirtyDays.filter((day) => day !== osloDay(FIRST_NIGHT + 94 * DAY_MS)), 'not-a-day'].sort());
    // Night 94's broken export is 6 days old: kept with its notes; night 4's is gone.
    expect(readdirSync(join(root, 'failed')).sort()).toEqual(['.done', 'coupons.csv', 'coupons.csv.error.txt', 'members.csv', 'members.csv.error.txt']);
    expect(readFileSync(join(root, 'failed', 'members.csv'), 'utf8')).toContain('M-1,+4741234567,94');
    expect(readdirSync(join(root, 'incoming'))).toEqual(['notes.txt']);

    // Each night lists what it removed.
    expect(reports[99]!.pruned).toEqual({ reportFolders: [reports[9]!.runId], dropFolder: [`archive/${osloDay(FIRST_NIGHT + 69 * DAY_MS)}`], stateBackups: [expect.stringContaining('.backup-')] });
    expect(reports[34]!.pruned!.dropFolder).toEqual(expect.arrayContaining(['failed/members.csv', 'failed/members.csv.error.txt', 'failed/coupons.csv', 'failed/coupons.csv.error.txt']));
    expect(reports.slice(0, 30).every((report) => report.pruned!.reportFolders.length === 0 && report.pruned!.dropFolder.length === 0)).toBe(true);
    expect(readdirSync(dir).filter((name) => name.startsWith('state.sqlite.backup-'))).toHaveLength(3);
  });

  it('keeps everything with 0 days', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const old = join(dir, 'reports', '20200101T010000.000Z-abcdef');
    mkdirSync(old, { recursive: true });
    const result = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url], {
      ...CREDENTIALS_ENV,
      LOYALTY_SYNC_REPORT_RETENTION_DAYS: '0',
    });
    expect(result.code).toBe(0);
    expect(existsSync(old)).toBe(true);
  });

  it('never fails a run: what cannot be removed is a warning, the rest goes', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const reports = join(dir, 'reports');
    // Two run folders from 2020: one the job may remove, one whose contents it may not touch; and the
    // 29 runs before this one from 2021 (with this one, the newest 30 stay whatever their age).
    const removable = join(reports, '20200101T010000.000Z-aaaaaa');
    const stuck = join(reports, '20200102T010000.000Z-bbbbbb');
    const newest = Array.from({ length: 29 }, (_, day) => join(reports, `202101${String(day + 1).padStart(2, '0')}T010000.000Z-cccccc`));
    for (const folder of [removable, stuck, ...newest]) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'report.json'), '{}');
    }
    chmodSync(reports, 0o777);
    chmodSync(removable, 0o777);
    chmodSync(stuck, 0o555);
    // As root, file modes bind only another user: run the job as `nobody`, as a service user would.
    const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const result = await runCli(
      ['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state', 'state.sqlite'), '--report-dir', reports, '--api-url', sandbox.url],
      CREDENTIALS_ENV,
      user,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(reports, 'latest.json'), 'utf8')) as RunReport;
    expect(report.status).toBe('succeeded');
    expect(report.pruned!.reportFolders).toEqual(['20200101T010000.000Z-aaaaaa']);
    expect(report.warnings).toEqual([expect.stringMatching(/^could not remove an expired report folder: .*20200102T010000\.000Z-bbbbbb/)]);
    expect(existsSync(removable)).toBe(false);
    expect(existsSync(join(stuck, 'report.json'))).toBe(true);
    expect(newest.every((folder) => existsSync(folder))).toBe(true);
  });
});
