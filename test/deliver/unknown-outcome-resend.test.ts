// An event whose outcome is unknown (its answer lost after the API applied it, a 200 that is not the
// accepted JSON) of a member that was partly committed. The real CLI on export folders, two nights, a
// proxy that loses answers in front of the sandbox: the change is re-sent as the very same request
// before anything new, or, when no longer wanted, compensated as if it had been applied. Never re-sent
// under a new id, never applied twice, never committed before the API accepted it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/state/store.ts';
import { snapshotStore } from '../../src/state/snapshot.ts';
import { outboxStore } from '../../src/state/outbox.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { misbehavingProxy, type ProxiedEvent } from '../fixtures/misbehaving-proxy.ts';
import { SAMPLES, sandboxForTest, syncOnce } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const FAST = ['--max-attempts', '2', '--retry-base-delay-ms', '5', '--retry-max-delay-ms', '20', '--max-delete-percent', '100'];

const MEMBERS_HEADER = 'contact_id,phone_number,tier';
const PHONES: Record<string, string> = { 'M-1': '+4741000001', 'M-2': '+4741000002', 'M-3': '+4741000003' };

/** One night's export folder; the date in the file names is the export's as-of time (every event's timestamp). */
function night(root: string, date: string, members: Record<string, string>, bonusChecks: Record<string, string[]>): string {
  const folder = join(root, date);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `members-${date}.csv`), [MEMBERS_HEADER, ...Object.entries(members).map(([id, tier]) => `${id},${PHONES[id]},${tier}`)].join('\n'));
  const checks = Object.entries(bonusChecks).flatMap(([id, checkIds]) => checkIds.map((checkId) => `${id},${checkId},50.00,NOK`));
  writeFileSync(join(folder, `bonus_checks-${date}.csv`), ['contact_id,bonus_check_id,amount,currency', ...checks].join('\n'));
  writeFileSync(join(folder, `coupons-${date}.csv`), ['contact_id,coupon_id,title', ...Object.keys(members).map((id) => `${id},CP-${id},Kaffe`)].join('\n'));
  return folder;
}

function run(source: string, dir: string, apiUrl: string) {
  return runCli(['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, ...FAST], CREDENTIALS_ENV);
}

function stateRows(dir: string, sql: string, ...params: string[]) {
  const store = openStateStore(join(dir, 'state.sqlite'));
  try {
    return store.db.prepare(sql).all(...params);
  } finally {
    store.close();
  }
}

/** What the snapshot holds for a member, and the ids of every event in doubt. */
function committed(dir: string, contactId: string) {
  const store = openStateStore(join(dir, 'state.sqlite'), { readOnly: true });
  try {
    const doubts = [...outboxStore(store.db).eventsInDoubt().values()].flat().map((event) => event.eventId);
    return { member: snapshotStore(store.db).load(contactId), doubts };
  } finally {
    store.close();
  }
}

const parse = (body: string) => JSON.parse(body) as ProxiedEvent;
const isCreationOf = (checkId: string) => (event: ProxiedEvent) => event.action === 'benefits.bonusCheck.created' && (event.payload.bonusCheck as { bonusCheckId: string }).bonusCheckId === checkId;

describe('an event whose outcome is unknown', () => {
  it('is re-sent as the very same request before the member\'s next change, and applied once', async () => {
    const sandbox = await sandboxForTest();
    const proxy = await misbehavingProxy(sandbox.url, (event) => (isCreationOf('BC-1')(event) ? 'garble' : 'pass'));
    const dir = tempDir();
    const first = await run(night(dir, '2026-11-24', { 'M-1': 'bronze', 'M-2': 'bronze' }, { 'M-1': ['BC-1'], 'M-2': ['BC-2'] }), dir, proxy.url);

    // The sandbox applied the check, but its answer was a 200 HTML page: not an acceptance.
    expect(first.code).toBe(3);
    expect(sandbox.member('M-1')?.bonusChecks.map((check) => check.bonusCheckId)).toEqual(['BC-1']);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report.failures).toEqual([
      expect.objectContaining({ contactId: 'M-1', action: 'benefits.bonusCheck.created', detail: expect.stringMatching(/HTTP 200.*not the accepted answer.*may have applied it/) }),
    ]);
    // Partly committed: the registration and coupons are in the snapshot, the check is not; it is in doubt.
    const partly = committed(dir, 'M-1');
    expect(partly.member).toMatchObject({ bonusChecks: { text: '[]' }, coupons: { text: expect.stringContaining('CP-M-1') } });
    const garbled = proxy.bodies.filter((body) => isCreationOf('BC-1')(parse(body)));
    expect(new Set(garbled).size).toBe(1);
    expect(partly.doubts).toEqual([parse(garbled[0]!).eventId]);

    // The next night changes M-1's tier: the check goes first, byte for byte, then the update. `explain`
    // says so beforehand, with the very ids the run then sends.
    proxy.decide = () => 'pass';
    const sentBefore = proxy.bodies.length;
    const nextNight = night(dir, '2026-11-25', { 'M-1': 'gold', 'M-2': 'bronze' }, { 'M-1': ['BC-1'], 'M-2': ['BC-2'] });
    const explained = await runCli(['explain', 'M-1', '--state', join(dir, 'state.sqlite'), '--source', nextNight, '--json']);
    expect(explained.code).toBe(0);
    const foretold = JSON.parse(explained.stdout).export.nextEvents as { action: string; eventId: string }[];
    const second = await run(nextNight, dir, proxy.url);
    expect(second.code).toBe(0);
    const tonight = proxy.bodies.slice(sentBefore).filter((body) => parse(body).payload.contactId === 'M-1');
    expect(tonight[0]).toBe(garbled[0]);
    expect(tonight.slice(1).map((body) => parse(body).action)).toEqual(['benefits.member.updated']);
    expect(foretold).toEqual(tonight.map((body) => ({ action: parse(body).action, eventId: parse(body).eventId })));

    expect(sandbox.events('M-1').filter((event) => event.action === 'benefits.bonusCheck.created')).toHaveLength(1);
    expect(sandbox.stats()).toMatchObject({ duplicates: 2, anomalies: [] });
    expect(sandbox.member('M-1')?.member.tier).toBe('gold');
    expect(committed(dir, 'M-1').doubts).toEqual([]);
    expect(committed(dir, 'M-1').member?.bonusChecks.text).toContain('BC-1');

    const third = await run(join(dir, '2026-11-25'), dir, proxy.url);
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('0/0 events accepted');
  });

  it('is not re-sent when no longer wanted: the compensation is planned as if it had been applied', async () => {
    const sandbox = await sandboxForTest();
    const proxy = await misbehavingProxy(sandbox.url, (event) => (isCreationOf('BC-1')(event) ? 'garble' : 'pass'));
    const dir = tempDir();
    expect((await run(night(dir, '2026-11-24', { 'M-1': 'bronze', 'M-2': 'bronze' }, { 'M-1': ['BC-1'], 'M-2': ['BC-2'] }), dir, proxy.url)).code).toBe(3);

    // The check is withdrawn before the next night: `explain` foretells the compensation, id and all.
    proxy.decide = () => 'pass';
    const sentBefore = proxy.bodies.length;
    const nextNight = night(dir, '2026-11-25', { 'M-1': 'bronze', 'M-2': 'bronze' }, { 'M-2': ['BC-2'] });
    const explained = await runCli(['explain', 'M-1', '--state', join(dir, 'state.sqlite'), '--source', nextNight, '--json']);
    const second = await run(nextNight, dir, proxy.url);
    expect(second.code).toBe(0);
    expect(proxy.bodies.slice(sentBefore).map((body) => parse(body).action)).toEqual(['benefits.bonusCheck.deleted']);
    expect(JSON.parse(explained.stdout).export.nextEvents).toEqual(proxy.bodies.slice(sentBefore).map((body) => ({ action: parse(body).action, eventId: parse(body).eventId })));
    expect(sandbox.events('M-1').map((event) => event.action)).toEqual([
      'benefits.member.registered',
      'benefits.coupons.synced',
      'benefits.bonusCheck.created',
      'benefits.bonusCheck.deleted',
    ]);
    expect(sandbox.member('M-1')?.bonusChecks).toEqual([]);
    expect(sandbox.stats().anomalies).toEqual([]);
    expect(stateRows(dir, 'SELECT count(*) AS n FROM outbox_events WHERE in_doubt = 1')).toEqual([{ n: 0 }]);
  });

  it('of a registration whose connection dropped: a member gone the next night is deleted, never registered again', async () => {
    const sandbox = await sandboxForTest();
    const proxy = await misbehavingProxy(sandbox.url, (event) => (event.payload.contactId === 'M-3' && event.action === 'benefits.member.registered' ? 'drop' : 'pass'));
    const dir = tempDir();
    const first = await run(night(dir, '2026-11-24', { 'M-1': 'bronze', 'M-2': 'bronze', 'M-3': 'bronze' }, { 'M-1': ['BC-1'] }), dir, proxy.url);
    expect(first.code).toBe(3);
    expect(sandbox.member('M-3')?.deleted).toBe(false);
    // Nothing of M-3 is committed: the API never said "accepted".
    expect(stateRows(dir, "SELECT count(*) AS n FROM snapshot WHERE contact_id = 'M-3'")).toEqual([{ n: 0 }]);

    proxy.decide = () => 'pass';
    const sentBefore = proxy.bodies.length;
    const second = await run(night(dir, '2026-11-25', { 'M-1': 'bronze', 'M-2': 'bronze' }, { 'M-1': ['BC-1'] }), dir, proxy.url);
    expect(second.code).toBe(0);
    expect(proxy.bodies.slice(sentBefore).map((body) => `${parse(body).payload.contactId} ${parse(body).action}`)).toEqual(['M-3 benefits.member.deleted']);
    expect(sandbox.events('M-3').map((event) => event.action)).toEqual(['benefits.member.registered', 'benefits.member.deleted']);
    expect(sandbox.stats().anomalies).toEqual([]);
  });

  it('of many events (the sandbox answering 200 HTML) still converges on what a clean history gives, each change applied once', async () => {
    const reference = await sandboxForTest();
    const referenceDir = tempDir();
    await syncOnce({ source: join(SAMPLES, 'night-1') }, referenceDir, reference.url);
    await syncOnce({ source: join(SAMPLES, 'night-2') }, referenceDir, reference.url);

    const sandbox = await sandboxForTest({ faults: { nonJsonAcceptRate: 0.4, seed: 5 } });
    const dir = tempDir();
    const night = (name: string, ...flags: string[]) =>
      runCli(['run', '--source', join(SAMPLES, name), '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url, '--max-delete-percent', '100', ...flags], CREDENTIALS_ENV);
    const inDoubt = () => (stateRows(dir, 'SELECT count(*) AS n FROM outbox_events WHERE in_doubt = 1')[0] as { n: number }).n;

    expect((await night('night-1', '--max-attempts', '1', '--max-failures-in-a-row', '1000')).code).toBe(3);
    expect(inDoubt()).toBeGreaterThan(5);
    sandbox.setFaults({ nonJsonAcceptRate: 0 });
    // Tonight's changes meet last night's events in doubt; then the exports go back and forth once more
    // (members with a rejected row in night-2 are left untouched there: night-1 settles them).
    expect((await night('night-2')).code).toBe(0);
    expect((await night('night-1')).code).toBe(0);
    expect((await night('night-2')).code).toBe(0);
    expect(inDoubt()).toBe(0);

    const apiState = (api: typeof sandbox) => api.members({ includeDeleted: true }).map(({ lastEventAt: _ignored, ...member }) => member);
    expect(apiState(sandbox)).toEqual(apiState(reference));
    const events = sandbox.events();
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
    expect(sandbox.stats().anomalies).toEqual([]);
    // A garbled acceptance is re-sent under its own id (a duplicate) or overridden, never sent anew.
    expect(sandbox.stats().duplicates).toBeGreaterThan(0);
    expect(sandbox.stats().duplicates).toBeLessThanOrEqual(sandbox.stats().nonJsonAnswers);
  });
});
