// The state file: created and migrated by the tool; a damaged one is an error, never a fresh start.
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/state/migrations.ts';
import { openStateStore } from '../../src/state/store.ts';
import { runCli } from '../fixtures/cli.ts';
import { SAMPLES } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

describe('state file', () => {
  it('is created in WAL mode at the current schema version', () => {
    const path = join(tempDir(), 'nested', 'state.sqlite');
    const store = openStateStore(path);
    expect(store.db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(store.db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    store.close();
  });

  it('refuses a file that is not a database, and the run exits 1 with the reason', async () => {
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    writeFileSync(path, 'this is not sqlite '.repeat(100));
    expect(() => openStateStore(path)).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
    const result = await runCli(['run', '--source', join(SAMPLES, 'night-1'), '--state', path, '--report-dir', join(dir, 'r'), '--dry-run']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('STATE_CORRUPT');
    expect(result.stderr).toContain(path);
  });

  it('refuses another SQLite database and a newer schema version', () => {
    const dir = tempDir();
    const foreign = new DatabaseSync(join(dir, 'foreign.sqlite'));
    foreign.exec('CREATE TABLE t (x)');
    foreign.close();
    expect(() => openStateStore(join(dir, 'foreign.sqlite'))).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT', message: expect.stringContaining('not a loyalty-sync state file') }));

    const newer = new DatabaseSync(join(dir, 'newer.sqlite'));
    newer.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => openStateStore(join(dir, 'newer.sqlite'))).toThrow(expect.objectContaining({ code: 'STATE_TOO_NEW' }));
  });

  it('detects a damaged page instead of trusting it', () => {
    const dir = tempDir();
    const path = join(dir, 'state.sqlite');
    const store = openStateStore(path);
    store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    const insert = store.db.prepare(`INSERT INTO runs (run_id, started_at, status, summary) VALUES (?, '2026-01-01', 'succeeded', ?)`);
    for (let i = 0; i < 200; i++) insert.run(`run-${i}`, 'x'.repeat(500));
    store.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    store.close();
    // Scribble over the middle of the file, as a bad disk or a half-copied backup would.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, Math.floor(statSync(path).size / 2 / 4096) * 4096);
    closeSync(fd);
    expect(() => openStateStore(path)).toThrow(expect.objectContaining({ code: 'STATE_CORRUPT' }));
  });
});
