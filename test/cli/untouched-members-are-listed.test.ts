// A run that leaves members untouched says who and why: report.json `untouched[]` (contactId, file:line,
// column, reason; the first 1,000 and a count of the rest), a section and an amber banner in report.html,
// "succeeded, N members left untouched" on stdout. The exit code stays 0 unless --fail-on-rejects (then 5).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UNTOUCHED_BANNER_COLOUR } from '../../src/report/status-colours.ts';
import { CREDENTIALS_ENV, runCli } from '../fixtures/cli.ts';
import { SAMPLES, sandboxForTest } from '../fixtures/sync.ts';
import { tempDir } from '../fixtures/temp.ts';
import { readReportHtml } from '../report/fixtures/report-html-reader.ts';

/** night-1's files with lines appended (or replaced), in a folder of their own. */
function exportFrom(dir: string, name: string, edit: (files: Record<string, string>) => void): string {
  const folder = join(dir, name);
  cpSync(join(SAMPLES, 'night-1'), folder, { recursive: true });
  const files = Object.fromEntries(['members.csv', 'coupons.csv', 'stamp_cards.csv', 'bonus_checks.csv'].map((file) => [file, readFileSync(join(folder, file), 'utf8')]));
  edit(files);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
  return folder;
}

const lineCount = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
const reportOf = (stdout: string) => JSON.parse(readFileSync(/report (\S+report\.json)/.exec(stdout)![1]!, 'utf8'));

describe('untouched members', () => {
  it('are listed by id with the row that held them back, and a new member with a bad item row is never registered', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const common = ['--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    expect((await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV)).code).toBe(0);

    let badCouponLine = 0;
    const night = exportFrom(dir, 'night-2', (files) => {
      files['members.csv'] += 'M-20001,Kari,Nordmann,kari@example.no,+47 412 34 567,2026-11-01,0,bronze,ja,nei,nei\n';
      files['members.csv'] += 'M-20002,Per,Hansen,per@example.no,+47 412 34 568,2026-11-01,0,bronze,ja,nei,nei\n';
      badCouponLine = lineCount(files['coupons.csv']!) + 1;
      files['coupons.csv'] += 'M-20001,CP-VELKOMMEN,Velkommen,,VELK,amount,50,NOK,2026-11-01,2026-13-45\n';
    });
    const result = await runCli(['run', '--source', night, ...common], CREDENTIALS_ENV);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^loyalty-sync \S+: succeeded, 1 member left untouched · 62 members \(1 new, 0 changed, 60 unchanged, 0 deleted, 0 failed, 1 untouched\)/);

    const report = reportOf(result.stdout);
    expect(report.untouched).toEqual([
      { contactId: 'M-20001', file: 'coupons.csv', line: badCouponLine, column: 'valid_to', reason: expect.stringMatching(/^expected a date/) },
    ]);
    expect(report.untouchedNotListed).toBe(0);
    // The valid new member without a bad row was registered; the one with a bad row was not.
    expect(sandbox.members().map((member) => member.member.contactId)).toContain('M-20002');
    expect(sandbox.members().map((member) => member.member.contactId)).not.toContain('M-20001');

    const html = readFileSync(join(dirname(/report (\S+report\.json)/.exec(result.stdout)![1]!), 'report.html'), 'utf8');
    const page = readReportHtml(html);
    const banner = page.section('status');
    expect(banner.querySelector('.status')!.text).toBe('succeeded, 1 member left untouched');
    expect(banner.getAttribute('style')).toContain(UNTOUCHED_BANNER_COLOUR);
    expect(page.table('untouched')).toEqual([{ contact: 'M-20001', where: `coupons.csv:${badCouponLine}`, column: 'valid_to', why: expect.stringMatching(/^expected a date/) }]);
    expect(page.root.querySelector('nav a[href="#untouched"] .badge')!.text).toBe('1');

    // --fail-on-rejects: the same run, for a script that wants to know: exit 5, said so on stdout and in the report.
    const strict = await runCli(['run', '--source', night, ...common, '--fail-on-rejects'], CREDENTIALS_ENV);
    expect(strict.code).toBe(5);
    expect(strict.stdout).toMatch(/: succeeded, 1 member left untouched \(exit 5: --fail-on-rejects\) · /);
    expect(reportOf(strict.stdout)).toMatchObject({ status: 'succeeded', exitCode: 5 });
    // ...and without anything rejected, 0.
    expect((await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common, '--fail-on-rejects', '--dry-run'], CREDENTIALS_ENV)).code).toBe(0);
  });

  it('lists the first 1,000 and counts the rest, in report.json and on the page', async () => {
    const dir = tempDir();
    const folder = join(dir, 'export');
    const rows = Array.from({ length: 1050 }, (_, index) => `B-${String(index + 1).padStart(5, '0')},12`);
    // 1,050 members whose phone number is not one, and one good member (an export of only bad rows is refused as empty).
    mkdirSync(folder);
    writeFileSync(join(folder, 'members.csv'), `contact_id,phone_number\nA-00001,+47 412 34 567\n${rows.join('\n')}\n`);
    const result = await runCli(['run', '--source', folder, '--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--dry-run', '--fail-on-rejects']);
    expect(result.code, result.stderr).toBe(5);
    const report = reportOf(result.stdout);
    expect(report.members).toMatchObject({ total: 1051, new: 1, untouched: 1050 });
    expect(report.untouched).toHaveLength(1000);
    expect(report.untouchedNotListed).toBe(50);
    expect(report.untouched[0]).toEqual({ contactId: 'B-00001', file: 'members.csv', line: 3, column: 'phone_number', reason: expect.stringContaining('expected a valid phone number') });
    expect(report.untouched.at(-1).contactId).toBe('B-01000');
    const page = readReportHtml(readFileSync(join(dirname(/report (\S+report\.json)/.exec(result.stdout)![1]!), 'report.html'), 'utf8'));
    expect(page.table('untouched')).toHaveLength(200);
    expect(page.section('untouched').querySelector('.more')!.getAttribute('data-more')).toBe('850');
  });

  it('counts a known member missing from a members file that cannot be trusted as untouched, saying why it was not deleted', async () => {
    const sandbox = await sandboxForTest();
    const dir = tempDir();
    const common = ['--state', join(dir, 's.sqlite'), '--report-dir', join(dir, 'reports'), '--api-url', sandbox.url];
    expect((await runCli(['run', '--source', join(SAMPLES, 'night-1'), ...common], CREDENTIALS_ENV)).code).toBe(0);
    let gone = '';
    const night = exportFrom(dir, 'night-2', (files) => {
      const [header, ...rows] = files['members.csv']!.trimEnd().split('\n');
      // A member without coupons, stamp cards or bonus checks is gone, and a row names no member: deleting it would not be safe.
      gone = rows.map((row) => row.split(',')[0]!).find((id) => !['coupons.csv', 'stamp_cards.csv', 'bonus_checks.csv'].some((file) => files[file]!.includes(`${id},`)))!;
      files['members.csv'] = `${[header, ...rows.filter((row) => !row.startsWith(`${gone},`)), ',Anne,Li,anne@example.no,+47 412 34 569,2026-11-01,0,bronze,ja,nei,nei'].join('\n')}\n`;
    });
    const result = await runCli(['run', '--source', night, ...common], CREDENTIALS_ENV);
    expect(result.code, result.stderr).toBe(0);
    const report = reportOf(result.stdout);
    expect(report.members).toEqual({ total: 60, new: 0, changed: 0, unchanged: 59, deleted: 0, failed: 0, untouched: 1 });
    expect(report.untouched).toEqual([{ contactId: gone, file: 'members.csv', reason: expect.stringContaining('not in the members export, but not deleted') }]);
    expect(sandbox.members().map((member) => member.member.contactId)).toContain(gone);
  });
});
