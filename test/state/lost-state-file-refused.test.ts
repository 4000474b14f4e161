// No silent fresh start: a run that finds no state file (or an empty one) where earlier runs left their
// mark refuses (exit 4, GUARD_STATE_MISSING): nothing read, sent or archived, no state file created, and a
// report that says how to restore or start over. Each mark is enough on its own.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';


/** A drop folder, a state folder and a report folder, as a nightly job keeps them. */
interface Setup {
  drop: string;
  state: string;
  reports: string;
}

const setupIn = (dir: string): Setup => ({ drop: join(dir, 'drop'), state: join(dir, 'state', 'loyalty-sync.sqlite'), reports: join(dir, 'reports') });

function dropExport(drop: string, night: string): void {
  mkdirSync(join(drop, 'incoming'), { recursive: true });
  cpSync(join(SAMPLES, night), join(drop, 'incoming'), { recursive: true });
  writeFileSync(join(drop, 'incoming', '.done'), '');
}

function run(setup: Setup, apiUrl: string, ...extra: string[]) {
  return runCli(['run', '--source', setup.drop, '--state', setup.state, '--report-dir', setup.reports, '--api-url', apiUrl, '--log-level', 'warn', ...extra], CREDENTIALS_ENV);
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as RunReport;

describe('a lost state file', () => {
  /** One real night: night-1 synced (archived, backed up, reported), night-2 waiting in incoming/. */
  async function afterOneNight(): Promise<Setup> {
    const setup = setupIn(tempDir());
    dropExport(setup.drop, 'night-1');
    const sandbox = await sandboxForTest();
    const { report } = await syncOnce({ source: setup.drop, state: setup.state, 'report-dir': setup.reports }, setup.drop, sandbox.url);
    expect(report.status).toBe('succeeded');
    dropExport(setup.drop, 'night-2');
    return setup;
  }

  const backupsOf = (setup: Setup) => readdirSync(join(setup.state, '..')).filter((name) => name.includes('.backup-'));
  const removeBackups = (setup: Setup) => backupsOf(setup).forEach((name) => rmSync(join(setup.state, '..', name)));
  const removeArchive = (setup: Setup) => renameSync(join(setup.drop, 'archive'), join(setup.drop, '..', 'archive-elsewhere'));
  const removeReports = (setup: Setup) => rmSync(setup.reports, { recursive: true });

  const marks: [string, (setup: Setup) => void, RegExp][] = [
    ['latest.json naming the state file', (setup) => (removeBackups(setup), removeArchive(setup)), /latest\.json names this state file/],
    ['backups beside it', (setup) => (removeReports(setup), removeArchive(setup)), /backup\(s\) beside it/],
    ["the drop folder's dated archive", (setup) => (removeReports(setup), removeBackups(setup)), /archive\/\d{4}-\d{2}-\d{2} \(an export synced by an earlier run\)/],
  ];

  it.each(marks)('refuses when the only mark is %s: exit 4, nothing sent or archived, no state file made, a report', async (_mark, keepOnlyThisMark, evidence) => {
    const setup = await afterOneNight();
    rmSync(setup.state);
    keepOnlyThisMark(setup);
    const sandbox = await sandboxForTest();

    const result = await run(setup, sandbox.url);

    expect(result.code).toBe(4);
    expect(result.stdout).toContain('GUARD_STATE_MISSING');
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    expect(sandbox.stats().requests).toBe(0);
    expect(existsSync(setup.state)).toBe(false);
    expect(readdirSync(join(setup.drop, 'incoming')).sort()).toEqual(['.done', ...readdirSync(join(SAMPLES, 'night-2'))].sort());
    const latest = readJson(join(setup.reports, 'latest.json'));
    expect(latest).toMatchObject({ status: 'refused', exitCode: 4, error: { code: 'GUARD_STATE_MISSING' }, events: { planned: 0, accepted: 0 } });
    expect(latest.error!.message).toContain(setup.state);
    expect(latest.error!.message).toMatch(evidence);
    expect(latest.error!.message).toContain('--new-state');
    expect(readJson(join(setup.reports, latest.runId, 'report.json')).status).toBe('refused');
    expect(readFileSync(join(setup.reports, 'metrics.prom'), 'utf8')).toMatch(/loyalty_sync_run_exit_code\S* 4/);

    // Refused again the next night (its own report names the state file now): never a silent start.
    const again = await run(setup, sandbox.url);
    expect(again.code).toBe(4);
    expect(sandbox.stats().requests).toBe(0);
  });

  it('names the newest backup and how to restore it; the restored file syncs the next export', async () => {
    const setup = await afterOneNight();
    rmSync(setup.state);
    const sandbox = await sandboxForTest();
    const refused = await run(setup, sandbox.url);
    expect(refused.code).toBe(4);
    const [backup] = backupsOf(setup);
    const message = readJson(join(setup.reports, 'latest.json')).error!.message;
    expect(message).toContain(`cp '${join(setup.state, '..', backup!)}' '${setup.state}'`);

    cpSync(join(setup.state, '..', backup!), setup.state);
    const restored = await run(setup, sandbox.url);
    // The backup was taken before night-1 committed: night-1's members are new to it (a fresh sandbox here).
    expect(restored.code).toBe(0);
    expect(readJson(join(setup.reports, 'latest.json')).status).toBe('succeeded');
  });

  it('treats an empty (0-byte) state file like a missing one', async () => {
    const setup = await afterOneNight();
    truncateSync(setup.state, 0);
    rmSync(`${setup.state}-wal`, { force: true });
    const sandbox = await sandboxForTest();
    const result = await run(setup, sandbox.url);
    expect(result.code).toBe(4);
    expect(readJson(join(setup.reports, 'latest.json')).error!.message).toMatch(/^an empty state file at /);
    expect(sandbox.stats().requests).toBe(0);
  });

  it('refuses a dry run too, which would otherwise create the empty state file the next run trusts', async () => {
    const setup = await afterOneNight();
    rmSync(setup.state);
    const result = await run(setup, 'http://127.0.0.1:9', '--dry-run');
    expect(result.code).toBe(4);
    expect(existsSync(setup.state)).toBe(false);
  });

  it('lets a first run start where no mark points at its state file', async () => {
    const setup = await afterOneNight();
    // The report folder is shared with another state file: its latest.json names that one, not this one.
    const other = { ...setupIn(tempDir()), reports: setup.reports };
    dropExport(other.drop, 'night-1');
    const sandbox = await sandboxForTest();
    const result = await run(other, sandbox.url);
    expect(result.code).toBe(0);
    expect(sandbox.members()).toHaveLength(60);
  });
});
