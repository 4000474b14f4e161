// Starting over on purpose (--new-state) against a club the API already holds: every member of the export
// is sent in full once (registered, every set even when empty, every bonus check), under event ids the
// lost state file never used, so nothing is refused as a reused id (409) and the API converges to the
// export; the next run sends nothing.
import { cpSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemberState } from '../../src/sandbox/member-registry.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';


function run(dir: string, source: string, apiUrl: string, ...extra: string[]) {
  const args = ['run', '--source', source, '--state', join(dir, 'state.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', apiUrl, '--log-level', 'warn', ...extra];
  return runCli(args, CREDENTIALS_ENV);
}

/** night-1 a while later: changed fields, a coupon set emptied, a coupon and a stamp card changed, a new member and a new bonus check. */
function laterExport(): string {
  const folder = join(tempDir(), 'later');
  cpSync(join(SAMPLES, 'night-1'), folder, { recursive: true });
  const edit = (file: string, change: (text: string) => string) => {
    const before = readFileSync(join(folder, file), 'utf8');
    const after = change(before);
    expect(after).not.toBe(before);
    writeFileSync(join(folder, file), after);
  };
  edit('members.csv', (text) => `${text.replace('M-10001,Åse,Haugen,ase.haugen@example.no,+47 483 56 080,2023-10-05,85,', 'M-10001,Åse,Haugen,ase.haugen@example.no,+47 483 56 080,2023-10-05,90,')}M-10061,Kari,Nordmann,kari@example.no,+47 412 34 567,2026-01-02,0,bronze,true,true,false\n`);
  edit('coupons.csv', (text) => text.split('\n').filter((line) => !line.startsWith('M-10002,')).join('\n'));
  edit('coupons.csv', (text) => text.replace('10 % på all kaffe', '15 % på all kaffe'));
  edit('stamp_cards.csv', (text) => text.replace('M-10003,SC-KAFFE,Kaffekort,10,6,', 'M-10003,SC-KAFFE,Kaffekort,10,7,'));
  edit('bonus_checks.csv', (text) => `${text.trimEnd()}\nM-10001,BC-0099,25.00,NOK,2026-01-01,2026-03-31,BS-NEW99,Bonussjekk 25 kr\n`);
  return folder;
}

const withoutTimes = (members: MemberState[]) => members.map(({ lastEventAt: _, ...member }) => member);

describe('--new-state', () => {
  it('converges a club the API already holds to the export, with no 409, and the next run sends nothing', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, join(SAMPLES, 'night-1'), sandbox.url)).code).toBe(0);
    renameSync(join(dir, 'state.sqlite'), join(dir, 'lost.sqlite'));
    const later = laterExport();

    const refused = await run(dir, later, sandbox.url);
    expect(refused.code).toBe(4);
    const before = sandbox.stats().requests;

    const startedOver = await run(dir, later, sandbox.url, '--new-state');
    expect(startedOver.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8'));
    expect(report).toMatchObject({ status: 'succeeded', options: { newState: true }, members: { new: 61, failed: 0 }, events: { failed: 0 } });
    // Every set is sent, also the emptied one: what the API held for M-10002 is cleared.
    expect(report.events.plannedByAction['benefits.coupons.synced']).toBe(61);
    expect(report.events.plannedByAction['benefits.stampCards.synced']).toBe(61);
    expect(Object.keys(sandbox.stats().byStatus)).toEqual(['200']);

    // What the API holds equals what a clean first sync of the same export gives.
    const reference = await sandboxForTest();
    expect((await run(tempDir(), later, reference.url)).code).toBe(0);
    expect(withoutTimes(sandbox.members())).toEqual(withoutTimes(reference.members()));
    expect(sandbox.member('M-10002')!.coupons).toEqual([]);

    const third = await run(dir, later, sandbox.url);
    expect(third.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'latest.json'), 'utf8')).events).toMatchObject({ planned: 0, accepted: 0 });
    expect(sandbox.stats().requests - before).toBe(report.events.accepted);
  });

  it('is refused (exit 2) on a state file that holds members, which stays as it was', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    expect((await run(dir, join(SAMPLES, 'night-1'), sandbox.url)).code).toBe(0);
    const state = readFileSync(join(dir, 'state.sqlite'));
    const result = await run(dir, join(SAMPLES, 'night-2'), sandbox.url, '--new-state');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/USAGE: --new-state .* holds 60 member\(s\)/);
    expect(readFileSync(join(dir, 'state.sqlite')).equals(state)).toBe(true);
    expect(sandbox.stats().requests).toBe(149);
  });
});
