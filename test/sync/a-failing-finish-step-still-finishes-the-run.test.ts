// The finish of a run (the last commit, the API connection closed, the export put away, rejects.csv,
// retention, the report, the run's row, the announcement) goes on past a step that fails: the run's row
// in the state file never stays `running`, and the process ends with a coded error (or, when the failing
// step is only housekeeping, the run's own outcome with a warning), never a crash or a stack trace.
// The real CLI on real files: a report folder under a plain file, an archive/ that is a file, a state file
// whose snapshot refuses every write.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/base/report-schema.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { dropFolderWith } from '../fixtures/drop-folder.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const run = (source: string, state: string, reports: string, apiUrl: string) =>
  runCli(['run', '--source', source, '--state', state, '--report-dir', reports, '--api-url', apiUrl], CREDENTIALS_ENV);

const runsOf = (state: string) => {
  const db = new DatabaseSync(state, { readOnly: true });
  try {
    return db.prepare('SELECT status, report_path IS NOT NULL AS reported FROM runs ORDER BY started_at').all();
  } finally {
    db.close();
  }
};

const latestOf = (reports: string) => JSON.parse(readFileSync(join(reports, 'latest.json'), 'utf8')) as RunReport;

const noStackTrace = (output: string) => expect(output).not.toMatch(/\n\s+at |INTERNAL/);

describe('a finish step that fails', () => {
  it('a report folder that cannot be written, with rows rejected: the sync completes, REPORT_WRITE_FAILED, the row finished', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    expect((await run(join(SAMPLES, 'night-1'), state, join(dir, 'reports'), sandbox.url)).code).toBe(0);
    // Night 2 rejects rows: rejects.csv is the first thing written to the report folder, while reading.
    writeFileSync(join(dir, 'not-a-folder'), '');
    const result = await run(join(SAMPLES, 'night-2'), state, join(dir, 'not-a-folder', 'reports'), sandbox.url);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REPORT_WRITE_FAILED');
    noStackTrace(result.stdout + result.stderr);
    // The night was synced all the same: a report folder fails the report, not the sync.
    expect(runsOf(state)).toEqual([
      { status: 'succeeded', reported: 1 },
      { status: 'succeeded', reported: 0 },
    ]);
    expect(sandbox.members()).toHaveLength(62);
    const next = await syncOnce({ source: join(SAMPLES, 'night-2') }, dir, sandbox.url);
    expect(next.report).toMatchObject({ status: 'succeeded', events: { planned: 0 } });
  });

  it('an export that cannot be archived: the sync stands (exit 0), the report warns, the row finished', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const drop = dropFolderWith('night-1');
    expect((await run(drop, state, join(dir, 'reports'), sandbox.url)).code).toBe(0);

    // archive/ becomes a plain file: the next export cannot be moved there (nor can retention look in it).
    rmSync(join(drop, 'archive'), { recursive: true });
    writeFileSync(join(drop, 'archive'), '');
    for (const name of readdirSync(join(SAMPLES, 'night-2'))) writeFileSync(join(drop, 'incoming', name), readFileSync(join(SAMPLES, 'night-2', name)));
    writeFileSync(join(drop, 'incoming', '.done'), '');
    const result = await run(drop, state, join(dir, 'reports'), sandbox.url);
    expect(result.code, result.stderr).toBe(0);
    noStackTrace(result.stdout + result.stderr);
    const latest = latestOf(join(dir, 'reports'));
    expect(latest).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(latest.warnings).toContainEqual(expect.stringMatching(/^could not archive the export: .*archive/));
    expect(readdirSync(join(drop, 'incoming'))).toContain('members.csv');
    expect(runsOf(state)).toEqual([
      { status: 'succeeded', reported: 1 },
      { status: 'succeeded', reported: 1 },
    ]);
    expect(sandbox.members()).toHaveLength(62);
  });

  it('a commit the state file refuses: STATE_CORRUPT naming the file, exit 1, the row finished; the next run converges', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    // A real state file whose snapshot tables refuse every new row: planning works, committing does not.
    const store = openStateStore(state);
    const snapshotTables = (store.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'snapshot%'").all() as { name: string }[]).map((row) => row.name);
    expect(snapshotTables.length).toBeGreaterThan(0);
    for (const table of snapshotTables) store.db.exec(`CREATE TRIGGER refuse_${table} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    store.close();

    const reports = join(dir, 'reports');
    const result = await run(join(SAMPLES, 'night-1'), state, reports, sandbox.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('STATE_CORRUPT');
    noStackTrace(result.stdout + result.stderr);
    const latest = latestOf(reports);
    expect(latest).toMatchObject({ status: 'failed', exitCode: 1, error: { code: 'STATE_CORRUPT' } });
    expect(latest.error!.message).toContain(`state file ${state} could not commit delivered members`);
    expect(runsOf(state)).toEqual([{ status: 'failed', reported: 1 }]);

    // Nothing accepted was committed: the next run sends the same events again (same ids: the API takes
    // them as duplicates) and ends where one clean run would.
    const fixed = new DatabaseSync(state);
    for (const table of snapshotTables) fixed.exec(`DROP TRIGGER refuse_${table}`);
    fixed.close();
    const next = await syncOnce({ source: join(SAMPLES, 'night-1') }, dir, sandbox.url);
    expect(next.report).toMatchObject({ status: 'succeeded', events: { drained: 149, planned: 0 } });
    expect(sandbox.members()).toHaveLength(60);
    expect(sandbox.stats().anomalies).toEqual([]);
  });
});
