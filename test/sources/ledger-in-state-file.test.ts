// The ledger lives in the state file (schema version 2): an existing version-1 state file is migrated,
// and entries are keyed by name AND content hash.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sourceLedger } from '../../src/state/ledger.ts';
import { MIGRATIONS } from '../../src/state/migrations.ts';
import { openStateStore } from '../../src/state/store.ts';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function statePath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'loyalty-sync-ledger-'));
  onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
  return join(folder, 'state.sqlite');
}

describe('ledger of processed source files', () => {
  it('is added to a state file written by the version before it', () => {
    const path = statePath();
    const old = new DatabaseSync(path);
    old.exec(MIGRATIONS[0] as string);
    old.exec('PRAGMA user_version = 1');
    old.close();
    const store = openStateStore(path);
    onTestFinished(() => store.close());
    expect((store.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBeGreaterThanOrEqual(2);
    sourceLedger(store.db).record([{ name: 'members.csv', sha256: HASH_A, bytes: 10, exportId: 'x', source: '/drop', outcome: 'succeeded', processedAt: '2026-11-24T02:00:00.000Z' }]);
    expect(sourceLedger(store.db).find('members.csv', HASH_A)?.bytes).toBe(10);
  });

  it('finds a file only by the same name and the same hash', () => {
    const store = openStateStore(statePath());
    onTestFinished(() => store.close());
    const ledger = sourceLedger(store.db);
    ledger.record([{ name: 'members.csv', sha256: HASH_A.toUpperCase(), bytes: 10, exportId: 'x', source: '/drop', outcome: 'partial', processedAt: '2026-11-24T02:00:00.000Z', movedTo: 'archive/2026-11-24/members.csv' }]);
    expect(ledger.find('members.csv', HASH_A)).toEqual({ name: 'members.csv', sha256: HASH_A, bytes: 10, exportId: 'x', source: '/drop', outcome: 'partial', processedAt: '2026-11-24T02:00:00.000Z', movedTo: 'archive/2026-11-24/members.csv' });
    expect(ledger.find('members.csv', HASH_B)).toBeUndefined();
    expect(ledger.find('members-2.csv', HASH_A)).toBeUndefined();
  });

  it('survives reopening the state file', () => {
    const path = statePath();
    const first = openStateStore(path);
    sourceLedger(first.db).record([{ name: 'members.csv', sha256: HASH_A, bytes: 1, exportId: 'x', source: '/drop', outcome: 'succeeded', processedAt: 't' }]);
    first.close();
    const second = openStateStore(path);
    onTestFinished(() => second.close());
    expect(sourceLedger(second.db).find('members.csv', HASH_A)).toBeDefined();
  });
});
