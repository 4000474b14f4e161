// `loyalty-sync forget <contactId>`: an erasure request for a member who left removes every local trace of
// it — its rows in the state file and in the backups beside it, its entries in the kept reports
// (report.json, latest.json, rejects.csv, report.html) — and refuses a member the API still holds.
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';

const LEAVER = 'M-10052';

/** night-2 without any row of `contactId`: the member left (bytes kept as they are, encodings included). */
function night2Without(contactId: string): string {
  const folder = join(tempDir(), 'night-3');
  cpSync(join(SAMPLES, 'night-2'), folder, { recursive: true });
  for (const name of readdirSync(folder)) {
    const text = readFileSync(join(folder, name), 'latin1');
    writeFileSync(join(folder, name), text.split('\n').filter((line) => !line.startsWith(`${contactId};`)).join('\n'), 'latin1');
  }
  return folder;
}

/** Every file under `dir` whose bytes contain `text`. */
function filesContaining(dir: string, text: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && readFileSync(path).includes(text));
}

async function threeNights() {
  const sandbox = await sandboxForTest();
  const dir = tempDir();
  const state = join(dir, 'state', 'loyalty-sync.sqlite');
  const reports = join(dir, 'reports');
  const run = (source: string) => runCli(['run', '--source', source, '--state', state, '--report-dir', reports, '--api-url', sandbox.url, '--log-level', 'warn'], CREDENTIALS_ENV);
  expect((await run(join(SAMPLES, 'night-1'))).code).toBe(0);
  // night-2 rejects the leaver's row (an invalid phone number): rejects.csv names it.
  expect((await run(join(SAMPLES, 'night-2'))).code).toBe(0);
  const night3 = night2Without(LEAVER);
  expect((await run(night3)).code).toBe(0);
  expect(sandbox.member(LEAVER)!.deleted).toBe(true);
  const forget = (contactId: string) => runCli(['forget', contactId, '--state', state, '--report-dir', reports]);
  return { dir, state, reports, sandbox, run: () => run(night3), forget };
}

describe('forget', () => {
  it('erases a member who left from the state file, its backups and every kept report', async () => {
    const { dir, reports, forget, run, sandbox } = await threeNights();
    expect(filesContaining(join(dir, 'state'), LEAVER).length).toBeGreaterThan(0);
    expect(filesContaining(reports, LEAVER).map((path) => path.slice(reports.length + 1).replace(/^[^/]+\//, ''))).toEqual(
      expect.arrayContaining(['latest.json', 'rejects.csv', 'report.json', 'report.html']),
    );

    const result = await forget(LEAVER);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`forgot ${LEAVER}`);
    expect(result.stdout).toContain('3 scrubbed');

    expect(filesContaining(dir, LEAVER)).toEqual([]);
    expect(filesContaining(dir, '+46707414002')).toEqual([]);
    // Everyone else is still there, and the rewritten files are still what they were.
    expect(filesContaining(join(dir, 'state'), 'M-10051').length).toBeGreaterThan(0);
    const latest = JSON.parse(readFileSync(join(reports, 'latest.json'), 'utf8'));
    expect(latest.plannedSample['benefits.member.deleted']).toEqual([]);
    const night2 = readdirSync(reports).sort()[1]!;
    const rejects = readFileSync(join(reports, night2, 'rejects.csv'), 'utf8').trim().split('\n');
    expect(rejects).toHaveLength(1 + 3);
    expect(readFileSync(join(reports, latest.runId, 'report.html'), 'utf8')).toContain('</html>');

    // The next night neither registers nor deletes anything because of it.
    const before = sandbox.stats().requests;
    expect((await run()).code).toBe(0);
    expect(sandbox.stats().requests).toBe(before);
  });

  it('refuses a member the API still holds (exit 4) and changes nothing', async () => {
    const { dir, forget } = await threeNights();
    const before = filesContaining(dir, 'M-10001').map((path) => [path, readFileSync(path)] as const);
    const result = await forget('M-10001');
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/GUARD_MEMBER_ACTIVE: M-10001 is a member the API holds/);
    for (const [path, bytes] of before) expect(readFileSync(path).equals(bytes), path).toBe(true);
  });

  it('says so when there is nothing to forget', async () => {
    const { forget } = await threeNights();
    const result = await forget('M-99999');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('state file: nothing about it');
  });
});
