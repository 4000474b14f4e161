// Always a report: a run that fails on its state file (damaged, read-only file or folder, too new) still
// writes report.json, metrics.prom and latest.json with status `failed` and a coded error naming the
// path, and says so in one line without a stack trace. A report that cannot be written never leaves the
// run's row `running`.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { SCHEMA_VERSION } from '../../src/state/migrations.ts';
import { knownStateError, openStateStore } from '../../src/state/store.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

// Root ignores file modes: as root, the job runs as `nobody`, as it would under its own service user.
const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function run(state: string, reports: string, apiUrl: string, options: { uid?: number; gid?: number } = {}) {
  const args = ['run', '--source', join(SAMPLES, 'night-1'), '--state', state, '--report-dir', reports, '--api-url', apiUrl];
  return runCli(args, CREDENTIALS_ENV, options);
}

function expectFailedReport(reports: string, code: string, path: string): RunReport {
  const latest = JSON.parse(readFileSync(join(reports, 'latest.json'), 'utf8')) as RunReport;
  expect(latest).toMatchObject({ status: 'failed', exitCode: 1, error: { code } });
  expect(latest.error!.message).toContain(path);
  expect(JSON.parse(readFileSync(join(reports, latest.runId, 'report.json'), 'utf8'))).toEqual(latest);
  expect(readFileSync(join(reports, latest.runId, 'report.html'), 'utf8')).toContain(code);
  const metrics = readFileSync(join(reports, 'metrics.prom'), 'utf8');
  expect(metrics).toMatch(/loyalty_sync_run_exit_code\S* 1/);
  expect(readFileSync(join(reports, latest.runId, 'metrics.prom'), 'utf8')).toBe(metrics);
  return latest;
}

const noStackTrace = (output: string) => expect(output).not.toMatch(/\n\s+at |INTERNAL/);

/** A folder the unprivileged job may write into. */
function writableFolder(): string {
  const dir = tempDir();
  chmodSync(dir, 0o777);
  return dir;
}

/** A state file left by a real run, owned by root (or us) and not writable by the job. */
async function stateFileOfOneRun(apiUrl: string): Promise<{ dir: string; state: string }> {
  const dir = writableFolder();
  const state = join(dir, 'state', 'state.sqlite');
  expect((await run(state, join(dir, 'first-reports'), apiUrl)).code).toBe(0);
  return { dir, state };
}

describe('always a report', () => {
  it('reports a damaged state file: STATE_CORRUPT with its path, exit 1', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    writeFileSync(state, 'this is not sqlite '.repeat(100));
    const result = await run(state, join(dir, 'reports'), 'http://127.0.0.1:9');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('STATE_CORRUPT');
    noStackTrace(result.stdout + result.stderr);
    expect(expectFailedReport(join(dir, 'reports'), 'STATE_CORRUPT', state).error!.message).toMatch(/restore a backup|--new-state/);
  });

  it('reports a state file of a newer version: STATE_TOO_NEW', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const newer = new DatabaseSync(state);
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    const result = await run(state, join(dir, 'reports'), 'http://127.0.0.1:9');
    expect(result.code).toBe(1);
    noStackTrace(result.stdout + result.stderr);
    expectFailedReport(join(dir, 'reports'), 'STATE_TOO_NEW', state);
  });

  it('reports a read-only state file: STATE_UNWRITABLE, nothing sent', async () => {
    const sandbox = await sandboxForTest();
    const { dir, state } = await stateFileOfOneRun(sandbox.url);
    const sent = sandbox.stats().requests;
    chmodSync(join(dir, 'state'), 0o777);
    chmodSync(state, 0o444);
    const reports = join(dir, 'reports');
    const result = await run(state, reports, sandbox.url, UNPRIVILEGED);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('STATE_UNWRITABLE');
    noStackTrace(result.stdout + result.stderr);
    expectFailedReport(reports, 'STATE_UNWRITABLE', state);
    expect(sandbox.stats().requests).toBe(sent);
  });

  it('reports a state file in a read-only folder, and one that cannot be created there', async () => {
    const sandbox = await sandboxForTest();
    const { dir, state } = await stateFileOfOneRun(sandbox.url);
    chmodSync(state, 0o666);
    chmodSync(join(dir, 'state'), 0o555);
    const reports = join(dir, 'reports');
    const result = await run(state, reports, sandbox.url, UNPRIVILEGED);
    expect(result.code).toBe(1);
    noStackTrace(result.stdout + result.stderr);
    expectFailedReport(reports, 'STATE_UNWRITABLE', state);

    const missing = join(dir, 'state', 'nested', 'new.sqlite');
    const created = await run(missing, join(dir, 'other-reports'), sandbox.url, UNPRIVILEGED);
    expect(created.code).toBe(1);
    noStackTrace(created.stdout + created.stderr);
    expectFailedReport(join(dir, 'other-reports'), 'STATE_UNWRITABLE', missing);

    // That run never had a state file: once the folder is writable, the next run is a first run, not one
    // that lost its state (its latest.json names no state file).
    chmodSync(join(dir, 'state'), 0o777);
    const fixed = await run(missing, join(dir, 'other-reports'), sandbox.url, UNPRIVILEGED);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'other-reports', 'latest.json'), 'utf8'))).toMatchObject({ status: 'succeeded', options: { state: missing } });
  });

  it('finishes the run in the state file when the report cannot be written: REPORT_WRITE_FAILED, no stack', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    // A report folder under a plain file: no one can create it, root included.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const result = await run(state, join(dir, 'not-a-folder', 'reports'), sandbox.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REPORT_WRITE_FAILED');
    noStackTrace(result.stderr);
    const store = openStateStore(state, { readOnly: true });
    const runs = store.db.prepare('SELECT status, report_path FROM runs').all();
    store.close();
    expect(runs).toEqual([{ status: 'succeeded', report_path: null }]);
    expect(sandbox.members()).toHaveLength(60);
  });

  it('does not crash on rejected rows it cannot write there either: the night is synced and committed, REPORT_WRITE_FAILED', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    expect((await run(state, join(dir, 'reports'), sandbox.url)).code).toBe(0);
    writeFileSync(join(dir, 'not-a-folder'), '');
    const args = ['run', '--source', join(SAMPLES, 'night-2'), '--state', state, '--report-dir', join(dir, 'not-a-folder', 'reports'), '--api-url', sandbox.url];
    const result = await runCli(args, CREDENTIALS_ENV);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REPORT_WRITE_FAILED');
    noStackTrace(result.stderr);
    const store = openStateStore(state, { readOnly: true });
    const runs = store.db.prepare('SELECT status FROM runs ORDER BY started_at').all();
    store.close();
    // night-2 has rejected rows: they could not be written, and the run went on.
    expect(runs).toEqual([{ status: 'succeeded' }, { status: 'succeeded' }]);
    expect(sandbox.members()).toHaveLength(62);
  });

  it('gives a full disk its own code (SQLite reports it as SQLITE_FULL)', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA max_page_count = 2; CREATE TABLE t (x)');
    let caught: unknown;
    try {
      db.exec(`INSERT INTO t VALUES (randomblob(100000))`);
    } catch (error) {
      caught = error;
    }
    expect(knownStateError(caught, '/data/state.sqlite', 'could not commit')).toMatchObject({ code: 'STATE_DISK_FULL', message: expect.stringContaining('/data/state.sqlite') });
    expect(knownStateError(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), '/s', 'x')).toMatchObject({ code: 'STATE_DISK_FULL' });
    expect(knownStateError(Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' }), '/s', 'x')).toMatchObject({ code: 'STATE_UNWRITABLE' });
    expect(knownStateError(new TypeError('a bug'), '/s', 'x')).toBeUndefined();
  });
});
