// Quotes as spreadsheets write them: a quote inside an unquoted value (`Pizza 12" stor`) is part of the
// value, as Excel reads it. What csv-parse cannot read at all is a coded error naming file and line, never
// INTERNAL, and a drop folder moves that export to failed/ with an error.txt.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNight } from '../fixtures/merchant.ts';
import { sandboxForTest } from '../fixtures/sync.ts';
import { tempDir, writeFiles } from '../fixtures/temp.ts';

const MEMBERS = 'contact_id,phone_number\nM1,41234001\nM2,41234002\nM3,41234003\n';

describe('quotes inside values', () => {
  it('reads a quote inside an unquoted value literally, and quoted values as before', async () => {
    const sandbox = await sandboxForTest();
    const coupons = [
      'contact_id,coupon_id,title,description',
      'M1,C1,Pizza 12" stor,Tynn bunn',
      'M2,C1,"Kaffe, te og ""kakao""",5" kake',
      'M3,C1,Boller,"to\nlinjer"',
    ].join('\n');
    const exportDir = writeFiles(tempDir(), { 'members.csv': MEMBERS, 'coupons.csv': `${coupons}\n` });
    const night = await runNight(exportDir, tempDir(), sandbox.url);
    expect(night.code).toBe(0);
    expect(night.report.rows).toEqual({ read: 6, rejected: 0 });
    expect(sandbox.members().map((member) => [member.contactId, member.coupons[0]!.title, member.coupons[0]!.description])).toEqual([
      ['M1', 'Pizza 12" stor', 'Tynn bunn'],
      ['M2', 'Kaffe, te og "kakao"', '5" kake'],
      ['M3', 'Boller', 'to\nlinjer'],
    ]);
  });

  const unreadable: [string, string, RegExp][] = [
    ['a quote that never closes', `contact_id,coupon_id,title\nM1,C1,Kaffe\nM2,C1,"Bolle\nM3,C1,Kake\n`, /^coupons\.csv:3: a quoted value starts in the row on this line and is never closed/],
    ['a row longer than 1 MB', `contact_id,coupon_id,title\nM1,C1,Kaffe\nM2,C1,${'x'.repeat(1_100_000)}\n`, /^coupons\.csv:3: the row on this line is longer than 1 MB/],
  ];
  it.each(unreadable)('fails a plain-folder run on %s with CSV_UNREADABLE, file and line; nothing is sent', async (_, coupons, message) => {
    const sandbox = await sandboxForTest();
    const exportDir = writeFiles(tempDir(), { 'members.csv': MEMBERS, 'coupons.csv': coupons });
    const night = await runNight(exportDir, tempDir(), sandbox.url);
    expect(night.code).toBe(1);
    expect(night.report).toMatchObject({ status: 'failed', error: { code: 'CSV_UNREADABLE', message: expect.stringMatching(message) } });
    expect(night.stdout).toContain('CSV_UNREADABLE');
    expect(sandbox.stats().requests).toBe(0);
  });

  it('moves a broken export in a drop folder to failed/, each file with an error.txt naming file and line', async () => {
    const sandbox = await sandboxForTest();
    const root = tempDir();
    mkdirSync(join(root, 'incoming'));
    writeFiles(join(root, 'incoming'), { 'members.csv': MEMBERS, 'coupons.csv': unreadable[0]![1], '.done': '' });
    const night = await runNight(root, tempDir(), sandbox.url);
    expect(night.report.error?.code).toBe('CSV_UNREADABLE');
    expect(readdirSync(join(root, 'incoming'))).toEqual([]);
    expect(readdirSync(join(root, 'failed')).sort()).toEqual(['.done', 'coupons.csv', 'coupons.csv.error.txt', 'members.csv', 'members.csv.error.txt']);
    expect(readFileSync(join(root, 'failed', 'coupons.csv.error.txt'), 'utf8')).toContain('coupons.csv:3: a quoted value starts in the row on this line and is never closed');
    expect(sandbox.stats().requests).toBe(0);
  });
});
