// A state file written by the previous release (schema version 4, test/state/fixtures/) upgrades in place
// the first time this version opens it: the same members with the same documents, the same next plan
// (event for event, id for id, as that release planned it: fixtures/v4-next-runs.json), nothing planned
// for an unchanged export, events in doubt re-sent as the same requests, and `explain` still reads it.
import { copyFileSync, cpSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/state/migrations.ts';
import { snapshotStore } from '../../src/state/snapshot.ts';
import { openStateStore } from '../../src/state/store.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, 'v4-next-runs.json'), 'utf8')) as Record<
  string,
  { exitCode: number; events: { contactId: string; action: string; eventId: string }[]; explainM10001: { snapshot: unknown; nextEvents: unknown[] } }
>;

/** A copy of a fixture in a fresh folder (the test never writes the committed file). */
function copyOf(fixture: string): { dir: string; state: string } {
  const dir = tempDir();
  const state = join(dir, 'state.sqlite');
  copyFileSync(join(FIXTURES, fixture), state);
  return { dir, state };
}

/** A sample night dated `asOf` (the files' modification time is the export's as-of time: every event's timestamp). */
function night(name: string, asOf: string): string {
  const folder = join(tempDir(), name);
  cpSync(join(SAMPLES, name), folder, { recursive: true });
  for (const file of readdirSync(folder)) utimesSync(join(folder, file), new Date(asOf), new Date(asOf));
  return folder;
}

function run(dir: string, source: string, apiUrl: string, ...extra: string[]) {
  return runCli(['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--log-level', 'warn', ...extra], CREDENTIALS_ENV);
}

/** Every member of a schema-4 file with its hashes and documents, read with plain SQL. */
function membersOfVersion4(path: string) {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: 4 });
    return db
      .prepare(
        `SELECT s.contact_id, s.rev, s.deleted, s.phone_number, s.member_hash, s.coupons_hash, s.stamp_cards_hash, s.bonus_checks_hash,
                d.member_doc, d.coupons_doc, d.stamp_cards_doc, s.bonus_checks_doc
         FROM snapshot s JOIN snapshot_docs d USING (contact_id) ORDER BY s.contact_id`,
      )
      .all()
      .map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

/** The same, read through this version's snapshot store. */
function membersNow(path: string) {
  const store = openStateStore(path, { readOnly: true });
  try {
    const snapshot = snapshotStore(store.db);
    return [...snapshot.scan()].map(({ contactId }) => {
      const state = snapshot.load(contactId)!;
      return {
        contact_id: state.contactId,
        rev: state.rev,
        deleted: state.deleted ? 1 : 0,
        phone_number: state.phoneNumber,
        member_hash: state.member?.hash ?? null,
        coupons_hash: state.coupons.hash,
        stamp_cards_hash: state.stampCards.hash,
        bonus_checks_hash: state.bonusChecks.hash,
        member_doc: state.member?.text ?? null,
        coupons_doc: state.coupons.text,
        stamp_cards_doc: state.stampCards.text,
        bonus_checks_doc: state.bonusChecks.text,
      };
    });
  } finally {
    store.close();
  }
}

const sortedEvents = (events: { contactId: string; action: string; eventId: string }[]) =>
  events.map(({ contactId, action, eventId }) => ({ contactId, action, eventId })).sort((a, b) => a.eventId.localeCompare(b.eventId));

describe('a state file written by the previous release (schema 4)', () => {
  it('keeps every member, hash and document, and is compacted with auto_vacuum on', async () => {
    const { dir, state } = copyOf('v4-two-nights.sqlite');
    const before = membersOfVersion4(state);
    expect(before.length).toBe(65);
    // A dry run opens (and so migrates) it; it plans nothing for the export the file last synced.
    const result = await run(dir, night('night-2', '2026-11-24T03:00:00Z'), 'http://127.0.0.1:9', '--dry-run');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')).events.planned).toBe(0);

    expect(membersNow(state)).toEqual(before);
    const db = new DatabaseSync(state, { readOnly: true });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(db.prepare('PRAGMA auto_vacuum').get()).toEqual({ auto_vacuum: 2 });
    expect(db.prepare('PRAGMA freelist_count').get()).toEqual({ freelist_count: 0 });
    db.close();
  });

  it('sends nothing for the export it last synced, and for another export exactly what the previous release would have', async () => {
    const sandbox = await sandboxForTest();
    const unchanged = copyOf('v4-two-nights.sqlite');
    expect((await run(unchanged.dir, night('night-2', '2026-11-24T03:00:00Z'), sandbox.url)).code).toBe(0);
    expect(sandbox.events()).toEqual([]);

    const other = copyOf('v4-two-nights.sqlite');
    const expected = EXPECTED['a+night-1@2026-11-25T03:00:00Z']!;
    expect((await run(other.dir, night('night-1', '2026-11-25T03:00:00Z'), sandbox.url, '--allow-mass-delete')).code).toBe(expected.exitCode);
    expect(sortedEvents(sandbox.events())).toEqual(sortedEvents(expected.events));
    expect(expected.events.length).toBeGreaterThan(0);
  });

  it('re-sends its events in doubt as the very same requests, and re-plans its failed members as the previous release would have', async () => {
    const sandbox = await sandboxForTest();
    const { dir } = copyOf('v4-events-in-doubt.sqlite');
    const expected = EXPECTED['b+night-2@2026-11-24T03:00:00Z']!;
    expect((await run(dir, night('night-2', '2026-11-24T03:00:00Z'), sandbox.url)).code).toBe(expected.exitCode);
    expect(sortedEvents(sandbox.events())).toEqual(sortedEvents(expected.events));
    // Then it is as converged as a file that never met a lost answer: nothing more to send.
    expect((await run(dir, night('night-2', '2026-11-24T03:00:00Z'), sandbox.url)).code).toBe(0);
    expect(sandbox.events()).toHaveLength(expected.events.length);
  });

  it('explains a member as the previous release did, with its history', async () => {
    const { state } = copyOf('v4-two-nights.sqlite');
    const expected = EXPECTED['a+night-2@2026-11-24T03:00:00Z']!.explainM10001;
    // explain opens read-only: a file not yet migrated is refused, once migrated it is read.
    const refused = await runCli(['explain', 'M-10001', '--state', state]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('run loyalty-sync once to migrate it');
    openStateStore(state).close();

    const result = await runCli(['explain', 'M-10001', '--state', state, '--source', night('night-2', '2026-11-24T03:00:00Z'), '--json']);
    expect(result.code).toBe(0);
    const explained = JSON.parse(result.stdout);
    expect(explained.snapshot).toEqual(expected.snapshot);
    expect(explained.export.nextEvents).toEqual(expected.nextEvents);
    expect(explained.history.map((event: { action: string; status: string }) => [event.action, event.status])).toEqual([
      ['benefits.member.registered', 'accepted'],
      ['benefits.stampCards.synced', 'accepted'],
    ]);
    expect(explained.history[0]).toMatchObject({ eventId: expect.stringMatching(/^evt-[0-9a-f-]{36}$/), plannedRun: expect.stringMatching(/^2026/), attempts: 1 });
  });
});
