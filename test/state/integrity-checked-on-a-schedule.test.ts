// Opening the state file checks its small tables only (at 1M members the whole file took seconds before
// the run could take its lock); the whole file is checked every --check-state-days (7) and with
// --check-state. A damaged page in the snapshot is met anyway, by the planning that reads every snapshot
// page: STATE_CORRUPT, nothing sent. The check on every open is pinned by state-file.test.ts.
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

function run(dir: string, apiUrl: string, ...extra: string[]) {
  return runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--log-level', 'info', ...extra], CREDENTIALS_ENV);
}

function checkedAt(path: string): string | undefined {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return (db.prepare(`SELECT value FROM state_meta WHERE key = 'integrity-checked-at'`).get() as { value: string } | undefined)?.value;
  } finally {
    db.close();
  }
}

/** Scribbles over the last page of `table`, as a bad disk would. */
function damage(path: string, table: string): void {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const { page } = db.prepare(`SELECT max(pageno) AS page FROM dbstat WHERE name = ? AND pagetype = 'leaf'`).get(table) as { page: number };
  db.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, (page - 1) * 4096);
  closeSync(fd);
}

describe('the state file integrity check', () => {
  it('checks the whole file on its first run, then on schedule or with --check-state; a damaged history page waits for it', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const first = await run(dir, sandbox.url);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('state file integrity checked (whole file)');
    const recorded = checkedAt(state);
    expect(recorded).toBeDefined();

    damage(state, 'outbox_events');
    // Not due, and a dry run reads no history: the run goes ahead on the small tables' check.
    const unchecked = await run(dir, sandbox.url, '--dry-run');
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).not.toContain('integrity checked');

    const forced = await run(dir, sandbox.url, '--dry-run', '--check-state');
    expect(forced.code).toBe(1);
    expect(forced.stdout + forced.stderr).toContain('STATE_CORRUPT');
    expect(forced.stdout + forced.stderr).toContain('failed its integrity check');

    // Due: the last whole-file check is older than --check-state-days.
    const dueRun = await run(dir, sandbox.url, '--dry-run', '--check-state-days', '0');
    expect(dueRun.code).toBe(1);
    expect(dueRun.stdout + dueRun.stderr).toContain('STATE_CORRUPT');
    expect(checkedAt(state)).toBe(recorded);
    expect(sandbox.stats().accepted).toBe(149);
  });

  it('meets a damaged snapshot page while planning: STATE_CORRUPT, nothing sent', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, sandbox.url)).code).toBe(0);
    damage(join(dir, 'state.sqlite'), 'snapshot');
    const result = await run(dir, sandbox.url, '--allow-mass-delete');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('STATE_CORRUPT');
    expect(sandbox.stats().accepted).toBe(149);
  });
});
