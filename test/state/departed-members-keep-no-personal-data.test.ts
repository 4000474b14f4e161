// Data minimisation: once a member's member.deleted was accepted, the state file keeps only its id and
// commit count (event ids stay unique if it returns): no phone number, no documents, and its event history
// keeps no body and no error text. Checked on the file's bytes, free pages included (secure_delete), and
// for state files written by an earlier version (migration 3 scrubs and vacuums).
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parse } from 'csv-parse/sync';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/state/migrations.ts';
import { openStateStore } from '../../src/state/store.ts';
import { snapshotStore } from '../../src/state/snapshot.ts';
import { outboxStore } from '../../src/state/outbox.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const DEPARTED = ['M-10007', 'M-10023', 'M-10048'];

function run(dir: string, night: string, apiUrl: string, ...extra: string[]) {
  const args = ['run', '--source', night.startsWith('/') ? night : join(SAMPLES, night), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--log-level', 'warn', ...extra];
  return runCli(args, CREDENTIALS_ENV);
}

/** A member's phone number as night-1 wrote it, in the forms a file could hold it: E.164 and national. */
function phoneForms(contactId: string): string[] {
  const rows = parse(readFileSync(join(SAMPLES, 'night-1', 'members.csv')), { columns: true }) as Record<string, string>[];
  const phone = parsePhoneNumberFromString(rows.find((row) => row.contact_id === contactId)!.phone_number!, 'NO')!;
  return [phone.number, String(phone.nationalNumber)];
}

/** night-1 with one member's bonus points changed (a plain export folder). */
function withBonusPoints(contactId: string, points: number): string {
  const folder = join(tempDir(), 'changed');
  cpSync(join(SAMPLES, 'night-1'), folder, { recursive: true });
  const members = readFileSync(join(folder, 'members.csv'), 'utf8');
  const changed = members.replace(new RegExp(`^(${contactId},(?:[^,]*,){5})\\d+,`, 'm'), `$1${points},`);
  expect(changed).not.toBe(members);
  writeFileSync(join(folder, 'members.csv'), changed);
  return folder;
}

/** The state file's bytes and its WAL's (after a checkpoint), as the disk holds them. */
function stateBytes(path: string): Buffer {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return Buffer.concat([readFileSync(path), ...(existsSync(`${path}-wal`) ? [readFileSync(`${path}-wal`)] : [])]);
}

describe('departed members', () => {
  it('leave no phone number, document or event body in the state file after the deletion night', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    expect((await run(dir, 'night-1', sandbox.url)).code).toBe(0);
    // A night in between where the API refused a change of M-10007: that event keeps its body (and the
    // API's answer) in the history, as any failed event does while it may be needed.
    sandbox.setFaults({ failContactIds: ['M-10007'] });
    expect((await run(dir, withBonusPoints('M-10007', 999), sandbox.url)).code).toBe(3);
    sandbox.setFaults({ failContactIds: [] });
    // Before the deletion night, the file holds their numbers (so the search below can find one).
    for (const contactId of DEPARTED) expect(stateBytes(state).includes(phoneForms(contactId)[0]!)).toBe(true);

    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    expect(sandbox.members({ includeDeleted: true }).filter((member) => member.deleted).map((member) => member.contactId)).toEqual(DEPARTED);

    const bytes = stateBytes(state);
    for (const contactId of DEPARTED) for (const form of phoneForms(contactId)) expect(bytes.includes(form), `${contactId}: ${form}`).toBe(false);
    // Members who stay keep theirs: the file is searched the right way.
    expect(bytes.includes(phoneForms('M-10001')[0]!)).toBe(true);

    const store = openStateStore(state, { readOnly: true });
    try {
      for (const contactId of DEPARTED) {
        expect(store.db.prepare('SELECT deleted, phone_number, member_hash FROM snapshot WHERE contact_id = ?').get(contactId)).toEqual({ deleted: 1, phone_number: '', member_hash: null });
        expect(store.db.prepare('SELECT count(*) AS n FROM snapshot_docs WHERE contact_id = ?').get(contactId)).toEqual({ n: 0 });
        expect(snapshotStore(store.db).load(contactId)).toMatchObject({ deleted: true, phoneNumber: '', coupons: { text: '[]' }, stampCards: { text: '[]' }, bonusChecks: { text: '[]' } });
        const history = outboxStore(store.db).history(contactId).events;
        expect(history.at(-1)).toMatchObject({ action: 'benefits.member.deleted', status: 'accepted', lastError: null });
        expect(history.every((event) => event.lastError === null)).toBe(true);
        const bodies = store.db.prepare('SELECT count(*) AS n FROM outbox_bodies JOIN outbox_events USING (seq) WHERE contact_id = ?').get(contactId);
        expect(bodies).toEqual({ n: 0 });
        if (contactId === 'M-10007') expect(history.map((event) => event.status)).toContain('failed');
      }
    } finally {
      store.close();
    }
  });

  it('come back as new members when they return, under fresh event ids', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, 'night-1', sandbox.url)).code).toBe(0);
    expect((await run(dir, 'night-2', sandbox.url)).code).toBe(0);
    const returned = await run(dir, 'night-1', sandbox.url, '--allow-mass-delete');
    expect(returned.code).toBe(0);
    expect(Object.keys(sandbox.stats().byStatus)).toEqual(['200']);
    for (const contactId of DEPARTED) {
      const member = sandbox.member(contactId)!;
      expect(member.deleted).toBe(false);
      expect(member.member.phoneNumber).toBe(phoneForms(contactId)[0]);
    }
    expect(sandbox.member('M-10007')!.bonusChecks.map((check) => check.bonusCheckId)).toEqual(['BC-0001']);
  });

  it('are scrubbed from a state file an earlier version wrote, free pages included', async () => {
    const dir = tempDir();
    const state = join(dir, 'state.sqlite');
    const phone = '+4791234567';
    // A state file at schema version 2, with a tombstone that kept its phone number, as before this change;
    // the body of an accepted event was emptied without secure_delete, so its bytes linger in free space.
    const old = new DatabaseSync(state);
    old.exec('PRAGMA journal_mode = WAL');
    old.exec(MIGRATIONS[0] as string);
    old.exec(MIGRATIONS[1] as string);
    old.exec('PRAGMA user_version = 2');
    const body = JSON.stringify({ action: 'benefits.member.registered', payload: { contactId: 'M-GONE', phoneNumber: phone } });
    old.prepare(`INSERT INTO snapshot VALUES ('M-GONE', 2, 1, ?, NULL, 'h', 'h', 'h', '[]', '2026-01-01', 'r1')`).run(phone);
    old.prepare(`INSERT INTO snapshot_docs VALUES ('M-GONE', ?, '[]', '[]')`).run(JSON.stringify({ contactId: 'M-GONE', phoneNumber: phone }));
    old.prepare(`INSERT INTO outbox_events (event_id, contact_id, action, body, status, last_error, planned_run, planned_at) VALUES ('e1', 'M-GONE', 'benefits.member.registered', ?, 'failed', ?, 'r1', '2026-01-01')`).run(body, `HTTP 400: ${phone} is not valid`);
    old.prepare(`INSERT INTO outbox_events (event_id, contact_id, action, body, status, planned_run, planned_at) VALUES ('e2', 'M-GONE', 'benefits.member.registered', ?, 'accepted', 'r1', '2026-01-01')`).run(body);
    old.exec(`UPDATE outbox_events SET body = NULL WHERE event_id = 'e2'`);
    old.exec(`INSERT INTO runs (run_id, started_at, status) VALUES ('r1', '2026-01-01', 'succeeded')`);
    old.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    old.close();
    expect(readFileSync(state).includes(phone)).toBe(true);

    // Any run opens and migrates it; a dry run changes nothing else.
    const result = await run(dir, 'night-1', 'http://127.0.0.1:9', '--dry-run');
    expect(result.code).toBe(0);
    expect(stateBytes(state).includes(phone)).toBe(false);
    const store = openStateStore(state, { readOnly: true });
    expect(store.db.prepare(`SELECT phone_number, rev, deleted FROM snapshot WHERE contact_id = 'M-GONE'`).get()).toEqual({ phone_number: '', rev: 2, deleted: 1 });
    store.close();
  });
});
